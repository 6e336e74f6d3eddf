"""What the command line reads from its user, with refusals worded for a command-line user:
they name the environment variables to set, and echo what was typed."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from auth_plugin.safe.errors import InvalidInput, KeyLoadError
from auth_plugin.signer.credentials import Credentials, resolve_credentials
from auth_plugin.signer.environment import (
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_PRIVATE_KEY_PASSPHRASE,
    ENV_PRIVATE_KEY_PATH,
)
from auth_plugin.signer.validation import canonical_amount

_SIGNING_KEY = (
    f"{ENV_API_SECRET} (its HMAC secret) or {ENV_PRIVATE_KEY_PATH} (an RSA or Ed25519 PEM "
    f"file; {ENV_PRIVATE_KEY_PASSPHRASE} if it is encrypted)"
)


def credentials(env: Mapping[str, str]) -> Credentials:
    """The credentials from the environment (KeyLoadError saying which variable to set)."""
    if not env.get(ENV_API_KEY):
        raise KeyLoadError(f"no API key: set {ENV_API_KEY}, and {_SIGNING_KEY}")
    if not env.get(ENV_API_SECRET) and not env.get(ENV_PRIVATE_KEY_PATH):
        raise KeyLoadError(f"no signing key for {ENV_API_KEY}: set {_SIGNING_KEY}")
    return resolve_credentials(env=env)


def amount(typed: str) -> str:
    """AMOUNT as Binance takes it; a refusal quotes it as typed (the library's message shows
    the number it parsed, e.g. 1E-9 for 0.000000001)."""
    try:
        return canonical_amount(typed)
    except InvalidInput as error:
        message = str(error)
        parsed = _parsed(typed)
        if parsed is not None and parsed != typed:
            message = message.replace(f"amount {parsed} ", f"amount {typed} ", 1)
            message = message.replace(f"got {parsed}", f"got {typed}", 1)
        raise InvalidInput(message) from None


def _parsed(typed: str) -> str | None:
    try:
        return str(Decimal(typed))
    except ArithmeticError:
        return None
