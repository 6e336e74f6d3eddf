"""The ASGI application: public endpoints behind the gateway, admin routes when enabled."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from papi_sandbox import admin, endpoints
from papi_sandbox.config import SandboxConfig
from papi_sandbox.connection_drop import RAW_SEND_KEY
from papi_sandbox.errors import ApiError, error_response
from papi_sandbox.gateway import Gateway, log_client_gone
from papi_sandbox.sandbox import Sandbox


class SandboxApp(Starlette):
    sandbox: Sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Starlette wraps `send` before our middleware sees it; keep the server's own one,
        # the only handle on the connection (see connection_drop.py).
        if scope["type"] == "http":
            scope[RAW_SEND_KEY] = send
        await super().__call__(scope, receive, send)


async def _api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - only registered for ApiError
        raise exc
    return error_response(exc)


async def _client_gone(connection: HTTPConnection, exc: Exception) -> None:
    """A client that left before its request was read: nothing executed, nothing to answer,
    and no application error for the server to log."""
    log_client_gone(connection.scope)


def create_app(config: SandboxConfig | None = None, sandbox: Sandbox | None = None) -> SandboxApp:
    """A ready app; pass `sandbox` to share state you already hold, else one is built."""
    state = sandbox if sandbox is not None else Sandbox(config)
    routes = list(endpoints.routes)
    if state.config.enable_admin:
        routes += admin.routes
    app = SandboxApp(
        routes=routes,
        middleware=[Middleware(Gateway, sandbox=state)],
        exception_handlers={ApiError: _api_error, ClientDisconnect: _client_gone},
    )
    app.state.sandbox = state
    app.sandbox = state
    return app
