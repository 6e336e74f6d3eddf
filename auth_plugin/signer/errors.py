"""The root of the error family, and the errors the signer itself raises.

One small hierarchy rooted at `PapiError`, so callers can catch everything we raise with one
clause. Every error carries the facts there are (HTTP `status`, Binance `code` and `msg`,
response `headers`; `None` where there was no answer), and says whether the request was
executed (`executed`: False, or None when nobody can tell). Subclasses exist only where a
caller would act differently:

    PapiError
    +-- InvalidInput          refused locally, nothing sent (also a ValueError)
    +-- KeyLoadError          credentials missing or unusable, nothing sent
    +-- ClockSyncError        the server time endpoint could not be used
    +-- (the answers of the server: `auth_plugin.safe.errors`)

Messages never carry secrets: no API secret, no PEM text, no passphrase, no signature or signed
URL, and at most the first characters of an API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class PapiError(Exception):
    """Base class of every error raised by papi-repay's client code.

    `status`, `code`, `msg` and `headers` hold the server's answer when there was one.
    `executed` is False when the request was provably not executed (or never sent) and None
    when its outcome is unknown.
    """

    executed: ClassVar[bool | None] = False

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: int | None = None,
        msg: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.msg = msg
        # Lower-case names: HTTP header names are case-insensitive.
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        facts = "".join(
            f", {name}={value!r}"
            for name, value in (("status", self.status), ("code", self.code))
            if value is not None
        )
        return f"{type(self).__name__}({self.message!r}{facts})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only facts are not in `args`; restore them from __dict__ when unpickling.
        return (type(self), (self.message,), self.__dict__)


class InvalidInput(PapiError, ValueError):
    """A value was refused locally, before anything was sent.

    Also a `ValueError`, so code that validates with plain `except ValueError` keeps working.
    """


class KeyLoadError(PapiError):
    """Credentials (API key, HMAC secret, private key, passphrase) are missing or unusable."""


class ClockSyncError(PapiError):
    """The server time endpoint could not be used to measure the clock offset."""
