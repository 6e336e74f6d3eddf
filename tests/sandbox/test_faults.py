"""Injected failures: what the client sees, and whether the ledger changed."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest

from tests.sandbox.helpers import REPAY, assert_error

UNKNOWN = "Unknown error, please check your request or try again later."


def _liability(sandbox) -> Decimal:
    return sandbox.ledger.balances("acct-hmac")["BTC"].liability


def test_unavailable_refuses_before_executing(sandbox, client):
    sandbox.faults.inject("unavailable")
    assert_error(client.repay(), 503, -1000, "Service Unavailable.")
    assert sandbox.ledger.repays("acct-hmac") == []
    assert client.repay().status_code == 200  # times=1: the next one goes through


def test_overloaded_refuses_before_executing(sandbox, client):
    sandbox.faults.inject("overloaded")
    assert_error(client.repay(), 503, -1008)
    assert sandbox.ledger.repays("acct-hmac") == []


def test_unknown_after_answers_503_but_the_repay_happened(sandbox, client):
    sandbox.faults.inject("unknown_after")
    before = _liability(sandbox)
    assert_error(client.repay(amount="0.01"), 503, -1000, UNKNOWN)
    assert _liability(sandbox) == before - Decimal("0.01")
    (record,) = sandbox.ledger.repays("acct-hmac")
    assert record.amount == Decimal("0.01")


def test_drop_after_closes_the_connection_after_the_repay(sandbox, client):
    sandbox.faults.inject("drop_after")
    before = _liability(sandbox)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.repay(amount="0.01")
    assert _liability(sandbox) == before - Decimal("0.01")
    assert len(sandbox.ledger.repays("acct-hmac")) == 1
    assert client.repay().status_code == 200  # the client reconnects; the server is fine


def test_drop_after_with_a_fresh_connection_per_request(sandbox, client):
    sandbox.faults.inject("drop_after")
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as fresh:
        client.http = fresh
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.repay()
    assert len(sandbox.ledger.repays("acct-hmac")) == 1


def test_latency_before_delays_the_answer(sandbox, client):
    sandbox.faults.inject("latency_before", seconds=0.3)
    started = time.monotonic()
    assert client.repay().status_code == 200
    assert time.monotonic() - started >= 0.3


def test_latency_after_times_out_a_client_whose_repay_happened(sandbox, client):
    sandbox.faults.inject("latency_after", seconds=0.5)
    with pytest.raises(httpx.ReadTimeout):
        client.repay(timeout=0.2)
    assert len(sandbox.ledger.repays("acct-hmac")) == 1


def test_fault_for_n_requests(sandbox, client):
    sandbox.faults.inject("unavailable", times=2)
    statuses = [client.repay().status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert sandbox.faults.active() == []


def test_fault_until_cleared(sandbox, client):
    sandbox.faults.inject("unavailable", times=None)
    assert [client.repay().status_code for _ in range(4)] == [503] * 4
    sandbox.faults.clear()
    assert client.repay().status_code == 200


def test_after_faults_wait_for_a_successful_request(sandbox, client):
    sandbox.faults.inject("unknown_after")
    assert_error(client.repay("XRP", "1"), 400, -3027)  # rejected: fault stays armed
    assert_error(client.repay(), 503, -1000, UNKNOWN)
    assert client.repay().status_code == 200


def test_faults_hit_only_their_path_unless_path_is_none(sandbox, client, http):
    sandbox.faults.inject("unavailable", times=None)
    assert http.get("/papi/v1/ping").status_code == 200
    sandbox.faults.clear()
    sandbox.faults.inject("unavailable", path=None)
    assert_error(http.get("/papi/v1/ping"), 503, -1000)


def test_fault_code_and_message_can_be_overridden(sandbox, client):
    sandbox.faults.inject("unavailable", code=-1001, msg="Internal error; unable to process.")
    assert_error(client.repay(), 503, -1001, "Internal error; unable to process.")


def test_faulted_answers_carry_the_used_weight(sandbox, client):
    sandbox.faults.inject("unknown_after")
    assert client.repay().headers["x-mbx-used-weight-1m"] == "100"


def test_requests_are_counted_per_endpoint_whatever_their_fate(sandbox, client, http):
    sandbox.faults.inject("unavailable")
    client.repay()
    client.repay()
    client.repay(amount="bad")
    http.get("/papi/v1/ping")
    assert sandbox.counters.get("POST", REPAY) == 3
    assert sandbox.counters.snapshot() == {"POST /papi/v1/repayLoan": 3, "GET /papi/v1/ping": 1}


def test_faults_and_counters_through_the_admin_api(sandbox, client, http):
    armed = http.post("/sandbox-admin/faults", json={"kind": "unavailable", "times": 1})
    assert armed.status_code == 200
    (fault,) = armed.json()["faults"]
    assert fault["kind"] == "unavailable"
    assert fault["times"] == 1
    assert fault["path"] == REPAY
    assert client.repay().status_code == 503
    assert http.get("/sandbox-admin/faults").json() == {"faults": []}
    http.post("/sandbox-admin/faults", json={"kind": "drop_after", "times": None})
    assert http.delete("/sandbox-admin/faults").json() == {"faults": []}
    assert http.get("/sandbox-admin/requests").json() == {"counts": {"POST /papi/v1/repayLoan": 1}}
    assert http.delete("/sandbox-admin/requests").json() == {"counts": {}}


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "nonsense"},
        {"kind": "unavailable", "times": 0},
        {"kind": "latency_before", "seconds": -1},
    ],
)
def test_admin_rejects_bad_faults(sandbox, http, body):
    response = http.post("/sandbox-admin/faults", json=body)
    assert response.status_code == 400
    assert "error" in response.json()


def test_every_fault_kind_is_documented():
    from pathlib import Path

    from papi_sandbox import faults

    readme = (Path(faults.__file__).parent / "README.md").read_text()
    assert faults.__doc__ is not None
    for kind in faults.FAULT_KINDS:
        assert f"| `{kind}` |" in readme, kind
        assert f"    {kind} " in faults.__doc__, kind
