"""The ASGI application: public endpoints behind the gateway, admin routes when enabled."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from papi_sandbox import admin, endpoints
from papi_sandbox.config import SandboxConfig
from papi_sandbox.connection_drop import RAW_SEND_KEY
from papi_sandbox.errors import ApiError, error_response
from papi_sandbox.gateway import Gateway, log_client_gone
from papi_sandbox.paths import ADMIN_PREFIX
from papi_sandbox.sandbox import Sandbox


class SandboxApp(Starlette):
    sandbox: Sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Starlette wraps `send` before our middleware sees it; keep the server's own one,
        # the only handle on the connection (see connection_drop.py), while the request runs.
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope[RAW_SEND_KEY] = send
        try:
            await super().__call__(scope, receive, send)
        finally:
            # uvicorn's request cycle holds the scope and `send` is the cycle's own method:
            # left in the scope, every request would be a reference cycle that only the
            # garbage collector frees (about 9 µs a repay in collections, measured).
            scope.pop(RAW_SEND_KEY, None)


async def _api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - only registered for ApiError
        raise exc
    return error_response(exc)


# Binance's docs say nothing of unknown paths or methods; the sandbox answers its usual JSON
# with -1020 UNSUPPORTED_OPERATION ("This operation is not supported.") and the HTTP status.
UNSUPPORTED_OPERATION = -1020


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's 404 (no route) and 405 (route, other method) as JSON, not plain text."""
    if not isinstance(exc, HTTPException):  # pragma: no cover - only registered for these
        raise exc
    path, method = request.url.path, request.method
    if exc.status_code == 404:
        why = f"no endpoint at path {path!r}"
    elif exc.status_code == 405:
        why = f"method {method!r} is not allowed for path {path!r}"
    else:  # pragma: no cover - the routes raise nothing else
        why = exc.detail
    app: SandboxApp = request.app
    if app.sandbox.config.enable_admin and path.startswith(ADMIN_PREFIX):
        return admin.admin_json({"error": why}, exc.status_code, exc.headers)
    error = ApiError(UNSUPPORTED_OPERATION, f"This operation is not supported: {why}.")
    error.status = exc.status_code
    return error_response(error, exc.headers)


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
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
        },
    )
    app.sandbox = state
    return app
