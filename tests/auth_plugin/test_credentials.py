"""Credentials from arguments or environment variables."""

from __future__ import annotations

import pytest

from auth_plugin import (
    Credentials,
    Ed25519Key,
    HmacKey,
    KeyLoadError,
    RsaKey,
    resolve_credentials,
)

API_KEY = "credsAPIkey000000000000000000000000000000000000000000000000000000"
SECRET = "credsSECRET0000000000000000000000000000000000000000000000000000000"


@pytest.fixture
def key_files(tmp_path, rsa_private_key, ed25519_private_key, pem):
    rsa_path = tmp_path / "rsa.pem"
    rsa_path.write_text(pem(rsa_private_key))
    ed_path = tmp_path / "ed25519.pem"
    ed_path.write_text(pem(ed25519_private_key, b"hunter2"))
    return {"rsa": rsa_path, "ed25519": ed_path}


def test_env_hmac_credentials() -> None:
    creds = resolve_credentials(env={"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": SECRET})
    assert creds.api_key == API_KEY
    assert isinstance(creds.key, HmacKey)
    assert creds.key.sign(b"x") == HmacKey(SECRET).sign(b"x")


def test_env_private_key_path_detects_rsa_and_encrypted_ed25519(key_files) -> None:
    rsa_creds = resolve_credentials(
        env={"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_PATH": str(key_files["rsa"])}
    )
    assert isinstance(rsa_creds.key, RsaKey)
    ed_creds = resolve_credentials(
        env={
            "BINANCE_API_KEY": API_KEY,
            "BINANCE_PRIVATE_KEY_PATH": str(key_files["ed25519"]),
            "BINANCE_PRIVATE_KEY_PASSPHRASE": "hunter2",
        }
    )
    assert isinstance(ed_creds.key, Ed25519Key)


def test_env_is_read_from_os_environ_by_default(monkeypatch) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", SECRET)
    monkeypatch.delenv("BINANCE_PRIVATE_KEY_PATH", raising=False)
    assert isinstance(resolve_credentials().key, HmacKey)


def test_arguments_win_over_env(key_files) -> None:
    creds = resolve_credentials(
        api_key="argAPIkey00000000000000",
        private_key_path=key_files["ed25519"],
        private_key_passphrase="hunter2",
        env={"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": SECRET},
    )
    assert creds.api_key == "argAPIkey00000000000000"
    assert isinstance(creds.key, Ed25519Key)


def test_private_key_pem_argument_is_accepted(rsa_pem) -> None:
    creds = resolve_credentials(api_key=API_KEY, private_key_pem=rsa_pem, env={})
    assert isinstance(creds.key, RsaKey)


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({}, "no API key.*BINANCE_API_KEY"),
        ({"BINANCE_API_SECRET": SECRET}, "no API key"),
        (
            {"BINANCE_API_KEY": API_KEY},
            "no signing key.*BINANCE_API_SECRET.*BINANCE_PRIVATE_KEY_PATH",
        ),
        (
            {
                "BINANCE_API_KEY": API_KEY,
                "BINANCE_API_SECRET": SECRET,
                "BINANCE_PRIVATE_KEY_PATH": "/x",
            },
            "both BINANCE_API_SECRET and BINANCE_PRIVATE_KEY_PATH",
        ),
        (
            {"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_PATH": "/nonexistent/k.pem"},
            "cannot read",
        ),
    ],
)
def test_incomplete_or_ambiguous_env_is_refused(env, why) -> None:
    with pytest.raises(KeyLoadError, match=why):
        resolve_credentials(env=env)


def test_encrypted_key_file_without_passphrase_in_env_is_refused(key_files) -> None:
    with pytest.raises(KeyLoadError, match="give its passphrase"):
        resolve_credentials(
            env={"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_PATH": str(key_files["ed25519"])}
        )


def test_two_signing_keys_in_arguments_are_refused(rsa_pem) -> None:
    with pytest.raises(KeyLoadError, match="only one signing key"):
        resolve_credentials(api_key=API_KEY, api_secret=SECRET, private_key_pem=rsa_pem, env={})


def test_credentials_validate_their_parts() -> None:
    with pytest.raises(KeyLoadError):
        Credentials("", HmacKey(SECRET))
    with pytest.raises(KeyLoadError):
        Credentials(API_KEY, SECRET)  # type: ignore[arg-type]
