"""The three key types: signatures verify, keys load from PEM, bad keys fail clearly at load."""

from __future__ import annotations

import base64
import copy
import pickle

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, padding, rsa, x25519

from auth_plugin import (
    Ed25519Key,
    HmacKey,
    KeyLoadError,
    RsaKey,
    load_private_key,
    load_private_key_file,
)

PAYLOAD = b"asset=BNB&amount=1.5&recvWindow=5000&timestamp=1499827319559"
NON_ASCII_PAYLOAD = b"asset=%EF%BC%91&amount=0.00000001&timestamp=1" + "é".encode()


def _traditional_pem(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _pkcs8(private_key: object, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [PAYLOAD, NON_ASCII_PAYLOAD, b""])
def test_rsa_signature_verifies_with_the_public_key(rsa_private_key, rsa_pem, payload) -> None:
    key = load_private_key(rsa_pem)
    assert isinstance(key, RsaKey)
    signature = base64.b64decode(key.sign(payload), validate=True)
    rsa_private_key.public_key().verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())


def test_rsa_signature_is_deterministic(rsa_pem) -> None:
    key = load_private_key(rsa_pem)
    assert key.sign(PAYLOAD) == key.sign(PAYLOAD)


@pytest.mark.parametrize("payload", [PAYLOAD, NON_ASCII_PAYLOAD, b""])
def test_ed25519_signature_verifies_with_the_public_key(
    ed25519_private_key, ed25519_pem, payload
) -> None:
    key = load_private_key(ed25519_pem)
    assert isinstance(key, Ed25519Key)
    signature = base64.b64decode(key.sign(payload), validate=True)
    assert len(signature) == 64
    ed25519_private_key.public_key().verify(signature, payload)


def test_hmac_signature_is_lower_case_hex_sha256() -> None:
    signature = HmacKey("secret").sign(PAYLOAD)
    assert len(signature) == 64
    assert signature == signature.lower()
    int(signature, 16)


def test_hmac_accepts_bytes_and_str_secrets_alike() -> None:
    assert HmacKey(b"secret").sign(PAYLOAD) == HmacKey("secret").sign(PAYLOAD)


def test_key_objects_can_be_built_from_cryptography_keys(
    rsa_private_key, ed25519_private_key
) -> None:
    assert RsaKey(rsa_private_key).key_size == 2048
    Ed25519Key(ed25519_private_key).sign(PAYLOAD)


# --- loading -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_passphrase_protected_pem_loads_with_str_or_bytes_passphrase(
    kind, rsa_private_key, ed25519_private_key
) -> None:
    private_key = rsa_private_key if kind == "rsa" else ed25519_private_key
    encrypted = _pkcs8(private_key, b"correct horse")
    plain = load_private_key(_pkcs8(private_key))
    assert load_private_key(encrypted, "correct horse").sign(PAYLOAD) == plain.sign(PAYLOAD)
    assert load_private_key(encrypted, b"correct horse").sign(PAYLOAD) == plain.sign(PAYLOAD)


def test_traditional_openssl_rsa_pem_loads(rsa_private_key) -> None:
    key = load_private_key(_traditional_pem(rsa_private_key))
    assert isinstance(key, RsaKey)


def test_openssh_ed25519_key_loads(ed25519_private_key) -> None:
    openssh = ed25519_private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    key = load_private_key(openssh)
    assert isinstance(key, Ed25519Key)
    ed25519_private_key.public_key().verify(base64.b64decode(key.sign(PAYLOAD)), PAYLOAD)


def test_key_loads_from_file_with_passphrase(tmp_path, ed25519_private_key) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(_pkcs8(ed25519_private_key, b"pw"))
    assert isinstance(load_private_key_file(path, "pw"), Ed25519Key)
    assert isinstance(load_private_key_file(str(path), "pw"), Ed25519Key)


# --- refusals ------------------------------------------------------------------------------


def test_wrong_passphrase_fails_clearly(rsa_private_key) -> None:
    with pytest.raises(KeyLoadError, match="wrong passphrase"):
        load_private_key(_pkcs8(rsa_private_key, b"right"), "wrong")


def test_encrypted_key_without_passphrase_asks_for_it(rsa_private_key) -> None:
    with pytest.raises(KeyLoadError, match="encrypted: give its passphrase"):
        load_private_key(_pkcs8(rsa_private_key, b"right"))


def test_passphrase_for_unencrypted_key_is_refused(rsa_pem) -> None:
    with pytest.raises(KeyLoadError, match="not encrypted"):
        load_private_key(rsa_pem, "unneeded")


def test_rsa_public_key_is_refused(rsa_private_key) -> None:
    public_pem = rsa_private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyLoadError, match="public key"):
        load_private_key(public_pem)


def test_rsa_key_under_2048_bits_is_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(KeyLoadError, match="1024 bits.*at least 2048"):
        load_private_key(_pkcs8(small))
    with pytest.raises(KeyLoadError, match="at least 2048"):
        RsaKey(small)


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: dsa.generate_private_key(key_size=2048), "DSA"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), r"EC \(secp256r1\)"),
        (lambda: ed448.Ed448PrivateKey.generate(), "Ed448"),
        (lambda: x25519.X25519PrivateKey.generate(), "X25519"),
    ],
)
def test_unsupported_key_types_are_refused_by_name(make, named) -> None:
    with pytest.raises(KeyLoadError, match=f"{named}.*not supported.*RSA.*Ed25519"):
        load_private_key(_pkcs8(make()))


@pytest.mark.parametrize(
    "text",
    ["", "   \n", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
)
def test_garbage_is_refused_as_not_a_pem_private_key(text) -> None:
    with pytest.raises(KeyLoadError, match="empty|not a valid PEM private key"):
        load_private_key(text)


def test_missing_key_file_names_the_path_and_reason(tmp_path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(KeyLoadError, match="nope.pem.*No such file"):
        load_private_key_file(missing)


@pytest.mark.parametrize("secret", ["", b"", " secret", "secret\n"])
def test_unusable_hmac_secret_is_refused(secret) -> None:
    with pytest.raises(KeyLoadError, match="empty|whitespace"):
        HmacKey(secret)


def test_hmac_secret_must_be_text_or_bytes() -> None:
    with pytest.raises(KeyLoadError, match="str or bytes"):
        HmacKey(12345)  # type: ignore[arg-type]


def test_key_classes_refuse_the_wrong_cryptography_key(
    rsa_private_key, ed25519_private_key
) -> None:
    with pytest.raises(KeyLoadError, match="RSA private key, got Ed25519"):
        RsaKey(ed25519_private_key)  # type: ignore[arg-type]
    with pytest.raises(KeyLoadError, match="Ed25519 private key, got RSA"):
        Ed25519Key(rsa_private_key)  # type: ignore[arg-type]


def test_load_errors_do_not_chain_the_underlying_exception(rsa_private_key) -> None:
    with pytest.raises(KeyLoadError) as caught:
        load_private_key(_pkcs8(rsa_private_key, b"right"), "wrong")
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


# --- handling --------------------------------------------------------------------------------


def test_keys_refuse_pickling_but_copy_as_themselves(rsa_pem, ed25519_pem) -> None:
    for key in (HmacKey("s3cr3t"), load_private_key(rsa_pem), load_private_key(ed25519_pem)):
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(key)
        assert copy.copy(key) is key
        assert copy.deepcopy(key) is key
