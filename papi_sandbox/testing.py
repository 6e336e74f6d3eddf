"""Run a real sandbox server on a free loopback port, for tests, demos and benchmarks.

with running_sandbox(accounts=(spec,), weight_limit=10**9) as sandbox:
    httpx.post(sandbox.base_url + "/papi/v1/repayLoan", ...)
    sandbox.faults.inject("drop_after")
    sandbox.ledger.balances("alice")["BTC"].principal

Faults that hold a request (queue, queue_deadline) are released by moving `sandbox.clock`
(`len(sandbox.held)` tells how many are waiting); no test has to wait in real time.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.app import create_app
from papi_sandbox.config import SandboxConfig
from papi_sandbox.deadlines import HttpImpl, uvicorn_config
from papi_sandbox.sandbox import Sandbox
from papi_sandbox.signatures import KeyType

LOOPBACK = "127.0.0.1"


class ServedSandbox(Sandbox):
    """A Sandbox (its clock, ledger, faults, held requests, counters, ...) that
    `running_sandbox` serves at `base_url`, on a free loopback port."""

    def __init__(
        self, config: SandboxConfig, port: int, http: HttpImpl, log_level: str, graceful_s: int
    ) -> None:
        super().__init__(config)
        self.port = port
        self.base_url = f"http://{LOOPBACK}:{port}"
        self.app = create_app(sandbox=self)
        self.server = uvicorn.Server(
            uvicorn_config(
                self.app,
                config.header_timeout,
                config.body_timeout,
                http,
                log_level=log_level,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=graceful_s,
            )
        )


@contextmanager
def running_sandbox(
    config: SandboxConfig | None = None,
    *,
    startup_timeout: float = 10.0,
    shutdown_timeout: float = 10.0,
    log_level: str = "warning",
    http: HttpImpl = "auto",
    **overrides: Any,
) -> Iterator[ServedSandbox]:
    """Serve a sandbox (config plus keyword overrides of SandboxConfig fields) until exit;
    `http` picks uvicorn's HTTP/1.1 implementation ("auto": httptools when installed, else h11)."""
    effective = replace(config or SandboxConfig(), **overrides)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port = sock.getsockname()[1]
        graceful_s = max(1, int(shutdown_timeout / 2))
        sandbox = ServedSandbox(effective, port, http, log_level, graceful_s)
        server = sandbox.server
        try:
            thread = threading.Thread(
                target=server.run,
                kwargs={"sockets": [sock]},
                name=f"papi-sandbox-{port}",
                daemon=True,
            )
            thread.start()
            try:
                _wait_started(server, thread, startup_timeout)
                yield sandbox
            finally:
                sandbox.held.clear()  # answered -1021 at once, so the shutdown need not wait
                server.should_exit = True
                thread.join(shutdown_timeout)
                if thread.is_alive():
                    server.force_exit = True
                    thread.join(shutdown_timeout)
        finally:
            sandbox.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("sandbox server thread exited during startup")
        if time.monotonic() > deadline:
            raise TimeoutError(f"sandbox server did not start within {timeout} s")
        time.sleep(0.005)


@dataclass(frozen=True)
class GeneratedKey:
    """Fresh credentials: `secret` for hmac; `private_key_pem` (PKCS#8) and `public_key_pem`
    for rsa and ed25519."""

    api_key: str
    key_type: KeyType
    secret: str | None = field(default=None, repr=False)
    private_key_pem: str | None = field(default=None, repr=False)
    public_key_pem: str | None = None

    @property
    def server_key(self) -> str:
        """What the sandbox verifies with: the secret, or the public key."""
        key = self.secret if self.key_type == "hmac" else self.public_key_pem
        if key is None:
            raise ValueError("incomplete credentials")
        return key

    def account(self, name: str, assets: Mapping[str, AssetSeed] | None = None) -> AccountSpec:
        return AccountSpec(name, self.api_key, self.key_type, self.server_key, dict(assets or {}))


def generate_key(key_type: KeyType, api_key: str | None = None) -> GeneratedKey:
    api_key = api_key or f"test-{key_type}-{secrets.token_hex(8)}"
    if key_type == "hmac":
        return GeneratedKey(api_key, key_type, secret=secrets.token_hex(32))
    private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    if key_type == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif key_type == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(f"unknown key_type {key_type!r}")
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return GeneratedKey(api_key, key_type, private_key_pem=private_pem, public_key_pem=public_pem)


def make_account(
    key_type: KeyType,
    name: str | None = None,
    assets: Mapping[str, AssetSeed] | None = None,
) -> tuple[AccountSpec, GeneratedKey]:
    """An account spec with freshly generated credentials of the given type."""
    key = generate_key(key_type)
    return key.account(name or f"acct-{key_type}-{secrets.token_hex(4)}", assets), key
