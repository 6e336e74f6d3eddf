"""How credentials are shown to humans: never in full."""

from __future__ import annotations

import re

REDACTED = "<redacted>"

# Short keys are not real Binance keys (those are 64 characters); showing 4 characters of a
# short one would reveal too large a share of it.
_MIN_LENGTH_TO_SHOW_PREFIX = 16
_SHOWN_PREFIX = 4


def mask_api_key(api_key: str) -> str:
    """Return a form of `api_key` safe for logs and reprs: its first 4 characters at most."""
    if len(api_key) < _MIN_LENGTH_TO_SHOW_PREFIX:
        return "****"
    return api_key[:_SHOWN_PREFIX] + "****"


_SIGNATURE_IN_TEXT = re.compile(r"signature=[^&\s'\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with any `signature=...` value blanked (exception texts may quote a URL)."""
    return _SIGNATURE_IN_TEXT.sub("signature=<redacted>", text)
