"""Errors raised by the client side of papi-repay.

One small hierarchy rooted at `PapiError`, so callers can catch everything we raise with one
clause. Subclasses exist only where a caller would act differently. The HTTP error family
(invalid request, auth, business rejection, rate limited, banned, outcome unknown) is meant to
be added here as further `PapiError` subclasses.

Messages never carry secrets: no API secret, no PEM text, no passphrase, and at most the first
characters of an API key.
"""

from __future__ import annotations


class PapiError(Exception):
    """Base class of every error raised by papi-repay's client code."""


class InvalidInput(PapiError, ValueError):
    """A value was refused locally, before anything was sent.

    Also a `ValueError`, so code that validates with plain `except ValueError` keeps working.
    """


class KeyLoadError(PapiError):
    """Credentials (API key, HMAC secret, private key, passphrase) are missing or unusable."""


class ClockSyncError(PapiError):
    """The server time endpoint could not be used to measure the clock offset."""
