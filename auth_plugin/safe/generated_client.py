"""`build_client`: the generated client on its own, signing, set up like the safe clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auth_plugin.client.query_folding import AsyncQueryFoldingClient, QueryFoldingClient
from auth_plugin.safe.config import SAFE_CLIENT_ONLY, ClientConfig
from auth_plugin.safe.demo_keys import refuse_demo_keys
from auth_plugin.signer.credentials import Credentials
from auth_plugin.signer.errors import InvalidInput

if TYPE_CHECKING:
    from papi_repay_client import AuthenticatedClient


def build_client(
    base_url: str, credentials: Credentials | None = None, **settings: Any
) -> AuthenticatedClient:
    """A generated `AuthenticatedClient` for `base_url` that signs every request.

    `settings` are `ClientConfig` fields (credentials from the key settings or the
    environment, `recv_window`, timeouts, `httpx_args`, `allow_insecure_http`, ...); those
    only the safe clients use (`SAFE_CLIENT_ONLY`: retries, pacing, margins, journal, ...) are
    refused, since a bare client would ignore them. `raise_on_unexpected_status` is on. The
    shipped demo keys are refused off loopback.
    """
    ignored = sorted(SAFE_CLIENT_ONLY.intersection(settings))
    if ignored:
        raise InvalidInput(
            f"build_client does not use {', '.join(ignored)}: "
            "settings of RepayClient / AsyncRepayClient"
        )
    config = ClientConfig(base_url=base_url, credentials=credentials, **settings)
    credentials = config.resolved_credentials()
    generated, http_settings = config.prepared(credentials)
    refuse_demo_keys(config.base_url, credentials)
    generated.set_httpx_client(QueryFoldingClient(**http_settings))
    generated.set_async_httpx_client(AsyncQueryFoldingClient(**http_settings))
    return generated
