"""A repay carries a short recvWindow by default (a logged signed URL can be replayed only that
long); reads keep the server's default, and a window set by the client or the call wins."""

from __future__ import annotations

import httpx

from auth_plugin.safe.flow import READ_RECV_WINDOW_MS, REPAY_RECV_WINDOW_MS
from tests.safety.helpers import ACCOUNT, REPAY, TIME


def _recording(make_client, **kwargs):
    sent: list[httpx.Request] = []
    client = make_client(httpx_args={"event_hooks": {"request": [sent.append]}}, **kwargs)
    return client, sent


def _windows(sent, method: str) -> list[str]:
    return [
        r.url.params.get("recvWindow", "none")
        for r in sent
        if r.method == method and r.url.path != TIME
    ]


def test_a_replayed_repay_is_refused_once_its_short_window_has_passed(sandbox, make_client):
    client, sent = _recording(make_client)
    client.repay("BTC", "0.01")
    (repay,) = [r for r in sent if r.url.path == REPAY]
    assert repay.url.params["recvWindow"] == str(REPAY_RECV_WINDOW_MS) == "2000"
    # Just past the short window; within the server's default of 5000 ms the replay would run.
    sandbox.clock.pin(int(repay.url.params["timestamp"]) + REPAY_RECV_WINDOW_MS + 1)
    with httpx.Client(trust_env=False) as http:
        replay = http.post(str(repay.url), headers={"X-MBX-APIKEY": repay.headers["X-MBX-APIKEY"]})
    assert replay.json()["code"] == -1021
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1


def test_reads_keep_the_servers_default_window(sandbox, make_client):
    client, sent = _recording(make_client)
    done = client.repay("BTC", "0.01")
    client.debt("BTC")
    client.confirm(done, within=1)
    client.reconcile("BTC", "0.01", done.timestamp_ms, wait=False)
    reads = _windows(sent, "GET")
    assert len(reads) >= 3
    assert set(reads) == {str(READ_RECV_WINDOW_MS)} == {"5000"}
    assert _windows(sent, "POST") == ["2000"]


def test_a_window_set_by_the_client_or_the_call_wins(sandbox, make_client):
    client, sent = _recording(make_client, recv_window=7000)
    client.repay("BTC", "0.01")
    client.repay("BTC", "0.01", recv_window=3000)
    client.borrow("BTC", "0.01")
    assert _windows(sent, "POST") == ["7000", "3000", "7000"]
