"""How credentials are shown to humans: never in full."""

from __future__ import annotations

import logging
import re
import threading

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


# The logger httpx writes "HTTP Request: POST <url> ..." to, at INFO, for every request.
HTTPX_LOGGER = "httpx"


class SignatureFilter(logging.Filter):
    """Blanks `signature=...` in every record of the logger it is attached to: a logged signed
    URL could be replayed until its recvWindow has passed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_installing = threading.Lock()


def redact_httpx_logs() -> None:
    """Attach one SignatureFilter to the `httpx` logger (once, however often called)."""
    logger = logging.getLogger(HTTPX_LOGGER)
    with _installing:
        if not any(isinstance(f, SignatureFilter) for f in logger.filters):
            logger.addFilter(SignatureFilter())
