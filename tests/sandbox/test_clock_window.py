"""The timestamp rule at its exact edges, with the sandbox clock pinned."""

from __future__ import annotations

import pytest

from papi_sandbox.testing import running_sandbox
from tests.sandbox.helpers import UNLIMITED, assert_error, now_ms, standard_accounts

NOW = 1_700_000_000_000
AHEAD = "Timestamp for this request was 1000ms ahead of the server's time."
OUTSIDE = "Timestamp for this request is outside of the recvWindow."


@pytest.fixture
def pinned(sandbox):
    sandbox.clock.pin(NOW)
    return sandbox


def test_timestamp_999_ms_ahead_is_accepted(pinned, client):
    assert client.repay(timestamp=NOW + 999).status_code == 200


def test_timestamp_1000_ms_ahead_is_rejected(pinned, client):
    assert_error(client.repay(timestamp=NOW + 1000), 400, -1021, AHEAD)


def test_timestamp_exactly_recv_window_old_is_accepted(pinned, client):
    assert client.repay(timestamp=NOW - 5000).status_code == 200


def test_timestamp_one_ms_older_than_default_recv_window_is_rejected(pinned, client):
    assert_error(client.repay(timestamp=NOW - 5001), 400, -1021, OUTSIDE)


@pytest.mark.parametrize("recv_window", [1, 10_000, 60_000])
def test_explicit_recv_window_edges(pinned, client, recv_window):
    assert client.repay(timestamp=NOW - recv_window, recv_window=recv_window).status_code == 200
    response = client.repay(timestamp=NOW - recv_window - 1, recv_window=recv_window)
    assert_error(response, 400, -1021, OUTSIDE)


def test_rejected_timestamp_changes_nothing(pinned, client):
    before = pinned.ledger.balances("acct-hmac")
    client.repay(timestamp=NOW + 1000)
    assert pinned.ledger.balances("acct-hmac") == before
    assert pinned.ledger.repays("acct-hmac") == []


def test_server_time_follows_pin_and_shift(pinned, http):
    assert http.get("/api/v3/time").json() == {"serverTime": NOW}
    pinned.clock.shift(2500)
    assert http.get("/api/v3/time").json() == {"serverTime": NOW + 2500}
    pinned.clock.unpin()
    assert abs(http.get("/api/v3/time").json()["serverTime"] - (now_ms() + 2500)) < 1000


def test_repay_record_carries_server_time(pinned, client):
    client.repay(timestamp=NOW)
    (record,) = pinned.ledger.repays("acct-hmac")
    assert record.timestamp == NOW


def test_server_running_behind_rejects_fresh_client_timestamps(keys, make_client):
    with running_sandbox(
        accounts=standard_accounts(keys), weight_limit=UNLIMITED, clock_offset_ms=-3000
    ) as behind:
        client = make_client(behind, "hmac")
        assert_error(client.repay(), 400, -1021, AHEAD)
        server_time = client.http.get("/api/v3/time").json()["serverTime"]
        assert client.repay(timestamp=server_time).status_code == 200
