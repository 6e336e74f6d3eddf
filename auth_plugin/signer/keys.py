"""How a payload is signed: the three key types Binance accepts, behind `sign(payload) -> str`.

Keys are checked when they are built, so a wrong key fails at start-up with a clear message
instead of producing -1022 on the first trade. Key objects keep only what signing needs, never
show it (redacted repr), refuse to be pickled, and every error raised while loading them is a
`KeyLoadError` whose message holds no key material (the original exception is not chained,
because its text or traceback could).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from abc import ABC, abstractmethod
from typing import Any, ClassVar, NoReturn

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import (
    dsa,
    ec,
    ed448,
    ed25519,
    padding,
    rsa,
    x448,
    x25519,
)
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from auth_plugin.signer.errors import KeyLoadError
from auth_plugin.signer.redaction import REDACTED

MIN_RSA_BITS = 2048
# An encrypted 16384-bit RSA key in PEM is about 13 KB.
MAX_KEY_FILE_BYTES = 64 * 1024

Passphrase = str | bytes | None


class SigningKey(ABC):
    """One way of turning Binance's `totalParams` bytes into a signature string."""

    __slots__ = ()

    #: Name of the scheme, for messages and reprs.
    kind: ClassVar[str]
    #: Whether the signature can go into a URL as it is (hex can; base64 has '+', '/', '=').
    signature_is_url_safe: ClassVar[bool]

    @abstractmethod
    def sign(self, payload: bytes) -> str:
        """Sign `payload` exactly as given; the result is not percent-encoded."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({REDACTED})"

    def __reduce__(self) -> NoReturn:
        # Pickling would write the secret to wherever the pickle goes (disk, a queue, a log).
        raise TypeError(f"{type(self).__name__} holds a secret and cannot be pickled")

    def __copy__(self) -> SigningKey:
        return self  # immutable: sharing is copying

    def __deepcopy__(self, memo: dict[int, Any]) -> SigningKey:
        return self


class HmacKey(SigningKey):
    """HMAC-SHA256 with the API secret; the signature is lower-case hex."""

    __slots__ = ("_mac",)
    kind = "HMAC_SHA256"
    signature_is_url_safe = True

    def __init__(self, secret: str | bytes) -> None:
        secret_bytes = _secret_bytes(secret)
        # Keyed once: each signature then only copies the keyed state instead of re-deriving
        # the inner and outer pads. Only the keyed state is kept, not the secret itself.
        self._mac = hmac.new(secret_bytes, digestmod=hashlib.sha256)

    def sign(self, payload: bytes) -> str:
        mac = self._mac.copy()
        mac.update(payload)
        return mac.hexdigest()


class RsaKey(SigningKey):
    """RSA PKCS#1 v1.5 over SHA-256; the signature is base64."""

    __slots__ = ("_key", "_padding", "_hash")
    kind = "RSA"
    signature_is_url_safe = False

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise KeyLoadError(f"RsaKey needs an RSA private key, got {_describe(private_key)}")
        if private_key.key_size < MIN_RSA_BITS:
            raise KeyLoadError(
                f"RSA key is {private_key.key_size} bits; Binance requires at least "
                f"{MIN_RSA_BITS} bits"
            )
        self._key = private_key
        self._padding = padding.PKCS1v15()
        self._hash = hashes.SHA256()

    @property
    def key_size(self) -> int:
        return self._key.key_size

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload, self._padding, self._hash)).decode("ascii")

    def __repr__(self) -> str:
        return f"RsaKey(bits={self._key.key_size}, {REDACTED})"


class Ed25519Key(SigningKey):
    """Ed25519 (RFC 8032, pure) over the payload bytes; the signature is base64."""

    __slots__ = ("_key",)
    kind = "ED25519"
    signature_is_url_safe = False

    def __init__(self, private_key: ed25519.Ed25519PrivateKey) -> None:
        if not isinstance(private_key, ed25519.Ed25519PrivateKey):
            raise KeyLoadError(
                f"Ed25519Key needs an Ed25519 private key, got {_describe(private_key)}"
            )
        self._key = private_key

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload)).decode("ascii")


AsymmetricKey = RsaKey | Ed25519Key


def load_private_key(pem: str | bytes, passphrase: Passphrase = None) -> AsymmetricKey:
    """Load an RSA or Ed25519 private key from PEM text; the type is read from the key itself.

    PKCS#8, traditional OpenSSL and OpenSSH private key formats are accepted, encrypted or not.
    """
    data = pem.encode("utf-8") if isinstance(pem, str) else pem
    password = _passphrase_bytes(passphrase)
    return _wrap(_parse_private_key(data, password))


def load_private_key_file(
    path: str | os.PathLike[str], passphrase: Passphrase = None
) -> AsymmetricKey:
    """Load an RSA or Ed25519 private key from a PEM file (see `load_private_key`); a file
    over MAX_KEY_FILE_BYTES is refused without reading the rest (e.g. /dev/zero)."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    else:
        if len(data) > MAX_KEY_FILE_BYTES:
            raise KeyLoadError(
                f"private key file {os.fspath(path)!r} is larger than {MAX_KEY_FILE_BYTES} "
                "bytes: not a PEM key"
            )
        return load_private_key(data, passphrase)
    # The path is not secret; the OS reason (missing, permissions) is what a user needs.
    raise KeyLoadError(f"cannot read private key file {os.fspath(path)!r}: {reason}")


def _parse_private_key(data: bytes, password: bytes | None) -> PrivateKeyTypes:
    if not data.strip():
        raise KeyLoadError("private key is empty")
    if b"PUBLIC KEY-----" in data or b"BEGIN CERTIFICATE" in data:
        raise KeyLoadError(
            "this is a public key or certificate; signing needs the private key "
            "(a PEM block starting with '-----BEGIN PRIVATE KEY-----')"
        )
    # The message is chosen inside the handler but raised outside it, so the cryptography
    # exception is not even kept as __context__.
    try:
        if b"-----BEGIN OPENSSH PRIVATE KEY-----" in data:
            return serialization.load_ssh_private_key(data, password)
        return serialization.load_pem_private_key(data, password)
    except TypeError:
        # cryptography uses TypeError exactly for the passphrase / encryption mismatch.
        if password is None:
            message = "the private key is encrypted: give its passphrase"
        else:
            message = "a passphrase was given but the private key is not encrypted"
    except (ValueError, UnsupportedAlgorithm):
        if password is not None:
            message = "could not load the private key: wrong passphrase, or not a valid private key"
        else:
            message = (
                "could not load the private key: not a valid PEM private key (expected a block "
                "such as '-----BEGIN PRIVATE KEY-----' holding an RSA or Ed25519 key)"
            )
    raise KeyLoadError(message)


def _wrap(private_key: PrivateKeyTypes) -> AsymmetricKey:
    if isinstance(private_key, rsa.RSAPrivateKey):
        return RsaKey(private_key)
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return Ed25519Key(private_key)
    raise KeyLoadError(
        f"{_describe(private_key)} keys are not supported by Binance; use RSA "
        f"({MIN_RSA_BITS} bits or more) or Ed25519"
    )


def _describe(private_key: object) -> str:
    if isinstance(private_key, dsa.DSAPrivateKey):
        return "DSA"
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return f"EC ({private_key.curve.name})"
    if isinstance(private_key, ed448.Ed448PrivateKey):
        return "Ed448"
    if isinstance(private_key, x25519.X25519PrivateKey | x448.X448PrivateKey):
        return "X25519/X448 (key agreement, not signing)"
    if isinstance(private_key, rsa.RSAPrivateKey):
        return "RSA"
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return "Ed25519"
    return type(private_key).__name__


def _secret_bytes(secret: str | bytes) -> bytes:
    if not isinstance(secret, str | bytes):
        raise KeyLoadError(f"HMAC secret must be str or bytes, got {type(secret).__name__}")
    if not secret:
        raise KeyLoadError("HMAC secret is empty")
    if secret != secret.strip():
        # Almost always a newline picked up from a file or a paste; signing with it would only
        # give -1022 from the server, far from the cause.
        raise KeyLoadError("HMAC secret has leading or trailing whitespace")
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _passphrase_bytes(passphrase: Passphrase) -> bytes | None:
    if passphrase is None or passphrase in ("", b""):
        return None
    if isinstance(passphrase, str):
        return passphrase.encode("utf-8")
    if isinstance(passphrase, bytes):
        return passphrase
    raise KeyLoadError(f"passphrase must be str or bytes, got {type(passphrase).__name__}")
