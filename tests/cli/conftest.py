"""Fixtures for the papi-repay CLI: a sandbox, credentials in env vars, and a runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization

from auth_plugin.cli import main
from papi_sandbox.testing import GeneratedKey, ServedSandbox, generate_key, running_sandbox
from tests.safety.helpers import UNLIMITED, Sleeper, account_spec

ENV_NAMES = (
    "BINANCE_API_KEY",
    "BINANCE_API_SECRET",
    "BINANCE_PRIVATE_KEY_PATH",
    "BINANCE_PRIVATE_KEY_PASSPHRASE",
)
PROXY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session")
def hmac_key() -> GeneratedKey:
    return generate_key("hmac")


@pytest.fixture(scope="session")
def ed25519_key() -> GeneratedKey:
    return generate_key("ed25519")


@pytest.fixture(scope="module")
def shared_sandbox(hmac_key: GeneratedKey, ed25519_key: GeneratedKey) -> Iterator[ServedSandbox]:
    accounts = (account_spec(hmac_key), account_spec(ed25519_key, "acct-ed25519"))
    with running_sandbox(accounts=accounts, weight_limit=UNLIMITED, enable_admin=True) as handle:
        yield handle


@pytest.fixture
def sandbox(shared_sandbox: ServedSandbox) -> ServedSandbox:
    shared_sandbox.reset()
    return shared_sandbox


@pytest.fixture
def hmac_env(monkeypatch: pytest.MonkeyPatch, hmac_key: GeneratedKey) -> GeneratedKey:
    """BINANCE_API_KEY + BINANCE_API_SECRET set, nothing else of ours, no proxies."""
    for name in ENV_NAMES + PROXY_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BINANCE_API_KEY", hmac_key.api_key)
    assert hmac_key.secret is not None
    monkeypatch.setenv("BINANCE_API_SECRET", hmac_key.secret)
    return hmac_key


@pytest.fixture
def ed25519_key_file(tmp_path, ed25519_key: GeneratedKey):
    """The Ed25519 private key as a passphrase-encrypted PEM file."""
    assert ed25519_key.private_key_pem is not None
    private = serialization.load_pem_private_key(ed25519_key.private_key_pem.encode(), None)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    )
    path = tmp_path / "ed25519.pem"
    path.write_bytes(pem)
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], shared_sandbox: ServedSandbox) -> Callable[..., Run]:
    """Run `main(argv)` in-process; returns exit code, stdout and stderr. Its waits move the
    sandbox's clock instead of taking real time."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv), sleep=Sleeper(clock=shared_sandbox.clock))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
