"""Who signs: an API key plus one signing key, from arguments or environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from auth_plugin.signer.api_key import check_api_key
from auth_plugin.signer.environment import (
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_PRIVATE_KEY_PASSPHRASE,
    ENV_PRIVATE_KEY_PATH,
)
from auth_plugin.signer.errors import KeyLoadError
from auth_plugin.signer.keys import HmacKey, SigningKey, load_private_key, load_private_key_file
from auth_plugin.signer.redaction import mask_api_key


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """An API key (sent in X-MBX-APIKEY) and the key that signs for it."""

    api_key: str
    key: SigningKey

    def __post_init__(self) -> None:
        check_api_key(self.api_key)
        if not isinstance(self.key, SigningKey):
            raise KeyLoadError(f"key must be a SigningKey, not {type(self.key).__name__}")

    def __repr__(self) -> str:
        return f"Credentials(api_key={mask_api_key(self.api_key)!r}, key={self.key!r})"


def resolve_credentials(
    *,
    api_key: str | None = None,
    api_secret: str | bytes | None = None,
    private_key_path: str | os.PathLike[str] | None = None,
    private_key_pem: str | bytes | None = None,
    private_key_passphrase: str | bytes | None = None,
    key: SigningKey | None = None,
    env: Mapping[str, str] | None = None,
) -> Credentials:
    """Build `Credentials` from the arguments, falling back to environment variables.

    The API key comes from `api_key` or BINANCE_API_KEY. The signing key comes from exactly one
    of `key`, `api_secret` (HMAC), `private_key_pem` or `private_key_path` (RSA or Ed25519,
    type read from the PEM, optional `private_key_passphrase`); when none is given, from
    BINANCE_API_SECRET or BINANCE_PRIVATE_KEY_PATH (+ BINANCE_PRIVATE_KEY_PASSPHRASE).
    Arguments and environment are not mixed for the signing key: a half-configured mix is more
    likely a mistake than an intent.
    """
    environ = os.environ if env is None else env
    resolved_api_key = api_key if api_key is not None else environ.get(ENV_API_KEY)
    if not resolved_api_key:
        raise KeyLoadError(f"no API key: pass api_key or set {ENV_API_KEY}")

    given = {
        name: value
        for name, value in (
            ("key", key),
            ("api_secret", api_secret),
            ("private_key_pem", private_key_pem),
            ("private_key_path", private_key_path),
        )
        if value is not None
    }
    if len(given) > 1:
        raise KeyLoadError(f"give only one signing key, got {', '.join(sorted(given))}")
    if given:
        signing_key = _key_from_arguments(
            key, api_secret, private_key_pem, private_key_path, private_key_passphrase
        )
    else:
        signing_key = _key_from_env(environ)
    return Credentials(resolved_api_key, signing_key)


def _key_from_arguments(
    key: SigningKey | None,
    api_secret: str | bytes | None,
    private_key_pem: str | bytes | None,
    private_key_path: str | os.PathLike[str] | None,
    passphrase: str | bytes | None,
) -> SigningKey:
    if key is not None:
        return key
    if api_secret is not None:
        return HmacKey(api_secret)
    if private_key_pem is not None:
        return load_private_key(private_key_pem, passphrase)
    assert private_key_path is not None
    return load_private_key_file(private_key_path, passphrase)


def _key_from_env(environ: Mapping[str, str]) -> SigningKey:
    secret = environ.get(ENV_API_SECRET) or None
    path = environ.get(ENV_PRIVATE_KEY_PATH) or None
    if secret is not None and path is not None:
        raise KeyLoadError(
            f"both {ENV_API_SECRET} and {ENV_PRIVATE_KEY_PATH} are set; set only the one "
            "matching the API key's type"
        )
    if secret is not None:
        return HmacKey(secret)
    if path is not None:
        return load_private_key_file(path, environ.get(ENV_PRIVATE_KEY_PASSPHRASE) or None)
    raise KeyLoadError(
        f"no signing key: set {ENV_API_SECRET} (HMAC) or {ENV_PRIVATE_KEY_PATH} "
        "(RSA or Ed25519 PEM file), or pass one"
    )
