"""A proxy from the environment (or `proxy=`) never sees a request to a loopback server: it
would get the API key and the signed request, in clear over plain http."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from auth_plugin import build_client
from auth_plugin.client.factory import without_proxy_for_loopback
from papi_repay_client.api.margin import repay_loan
from tests.safety.helpers import ACCOUNT, TIME


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """A "proxy" on loopback that records what reaches it and hangs up; every proxy variable
    points at it, and nothing exempts loopback."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    seen.append(connection.recv(65536))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield seen
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_the_environments_proxy_works_for_other_clients(proxy):
    """The fixture's proxy is real: a plain httpx client goes through it."""
    with httpx.Client(timeout=5) as plain, pytest.raises(httpx.HTTPError):
        plain.get("http://127.0.0.1:9/")
    assert proxy and proxy[0].startswith(b"GET http://127.0.0.1:9/")


def test_the_safe_client_never_sends_to_a_proxy_for_loopback(sandbox, make_client, key, proxy):
    client = make_client()
    client.sync_clock()  # the time endpoint's client too
    assert client.repay("BTC", "0.01").tran_id
    client.debt("BTC")
    assert proxy == []
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1
    assert sandbox.counters.get("GET", TIME) >= 1


def test_the_generated_client_never_sends_to_a_proxy_for_loopback(sandbox, key, proxy):
    client = build_client(sandbox.base_url, api_key=key.api_key, api_secret=key.secret)
    with client:
        result = repay_loan.sync(client=client, asset="BTC", amount="0.01")
    assert result.tran_id
    assert proxy == []


def test_an_explicit_proxy_is_not_used_for_loopback_either(sandbox, make_client, proxy):
    proxy_url = os.environ["HTTP_PROXY"]
    client = make_client(httpx_args={"proxy": proxy_url, "trust_env": False})
    assert client.repay("BTC", "0.01").tran_id
    client.sync_clock()
    assert proxy == []


@pytest.mark.parametrize(
    ("url", "pattern"),
    [
        ("http://127.0.0.1:8000", "all://127.0.0.1"),
        ("http://127.1.2.3", "all://127.1.2.3"),
        ("http://localhost:1", "all://localhost"),
        ("http://[::1]:8000/x", "all://[::1]"),
    ],
)
def test_loopback_hosts_are_mounted_without_a_proxy(url, pattern):
    mounts = without_proxy_for_loopback(url, {"mounts": {"all://x.example": None}})["mounts"]
    assert mounts == {"all://x.example": None, pattern: None}


def test_other_hosts_keep_the_proxy_settings():
    args = {"proxy": "http://proxy.example:3128"}
    assert without_proxy_for_loopback("https://papi.binance.com", args) == args
