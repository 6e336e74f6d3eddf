"""The API key: the header it travels in, and what a usable one looks like."""

from __future__ import annotations

from auth_plugin.signer.errors import KeyLoadError
from auth_plugin.signer.redaction import mask_api_key

API_KEY_HEADER = "X-MBX-APIKEY"


def check_api_key(api_key: str) -> str:
    """Return `api_key` if it can go into the X-MBX-APIKEY header, else raise `KeyLoadError`."""
    if not isinstance(api_key, str):
        raise KeyLoadError(f"API key must be a str, not {type(api_key).__name__}")
    if not api_key:
        raise KeyLoadError("API key is empty")
    # Printable ASCII without spaces: anything else is a paste error, and control characters
    # in a header value would be refused by httpx at send time (or worse, by a proxy).
    if not (api_key.isascii() and api_key.isprintable() and " " not in api_key):
        raise KeyLoadError(
            f"API key {mask_api_key(api_key)!r} contains whitespace or non-ASCII characters"
        )
    return api_key
