"""For every test: nothing may reach beyond loopback (127.0.0.1, ::1, localhost)."""

from __future__ import annotations

import os
import random
import socket
from typing import Any

import pytest

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
SEED_NAME = "RECONCILE_SEED"


def pytest_configure(config: pytest.Config) -> None:
    """The reconciliation proof's seed: given (to repeat a run) or chosen now, and printed."""
    os.environ.setdefault(SEED_NAME, str(random.randrange(2**32)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"reconciliation proof seed: {SEED_NAME}={os.environ[SEED_NAME]}")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connect or name lookup beyond loopback made by the test process."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK_HOSTS:
            raise OSError(f"test guard: refusing to connect to {address!r}")
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK_HOSTS:
            raise socket.gaierror(f"test guard: refusing to resolve {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def private_journal(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Each test's papi-repay runs (in-process or child) keep their journals in a temp dir."""
    path = tmp_path_factory.mktemp("journal")
    monkeypatch.setenv("PAPI_REPAY_JOURNAL_DIR", str(path))
    return path
