"""Faults that answer instead of the endpoint, with any HTTP status: 4xx answers whose outcome
is unknown (408 / -1007, 400 / -1006) before or after executing, on any public path, record
reads included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.sandbox.helpers import RECORDS, REPAY, assert_error, now_ms

TIMEOUT_1007 = (
    "Timeout waiting for response from backend server. Send status unknown; "
    "execution status unknown."
)
BUS_1006 = "An unexpected response was received from the message bus. Execution status unknown."
UNKNOWN = "Unknown error, please check your request or try again later."
LOANS = "/papi/v1/margin/marginLoan"
BORROW = "/papi/v1/marginLoan"


def _liability(sandbox) -> Decimal:
    return sandbox.ledger.balances("acct-hmac")["BTC"].liability


def _read_records(client):
    return client.records(asset="BTC", startTime=now_ms() - 60_000)


def test_unknown_before_answers_like_unknown_after_but_executes_nothing(sandbox, client):
    sandbox.faults.inject("unknown_before")
    before = _liability(sandbox)
    assert_error(client.repay(), 503, -1000, UNKNOWN)
    assert _liability(sandbox) == before
    assert sandbox.ledger.repays("acct-hmac") == []
    assert sandbox.faults.active() == []  # used by the request it struck
    assert client.repay().status_code == 200


def test_unknown_after_with_408_and_1007_executes_once(sandbox, client):
    sandbox.faults.inject("unknown_after", status=408, code=-1007, msg=TIMEOUT_1007)
    before = _liability(sandbox)
    response = client.repay(amount="0.01")
    assert_error(response, 408, -1007, TIMEOUT_1007)
    assert response.headers["x-mbx-used-weight-1m"] == "100"
    assert _liability(sandbox) == before - Decimal("0.01")
    assert len(sandbox.ledger.repays("acct-hmac")) == 1


@pytest.mark.parametrize(("status", "code", "msg"), [(400, -1006, BUS_1006), (400, -1007, None)])
def test_unknown_before_with_a_400_executes_nothing(sandbox, client, status, code, msg):
    sandbox.faults.inject("unknown_before", status=status, code=code, msg=msg)
    assert_error(client.repay(), status, code, msg or UNKNOWN)
    assert sandbox.ledger.repays("acct-hmac") == []


@pytest.mark.parametrize("kind", ["unknown_before", "unknown_after"])
@pytest.mark.parametrize("path", [None, RECORDS])
def test_a_408_on_the_record_query(sandbox, client, kind, path):
    assert client.repay().status_code == 200
    sandbox.faults.inject(kind, path=path, status=408, code=-1007, msg=TIMEOUT_1007)
    response = _read_records(client)
    assert_error(response, 408, -1007, TIMEOUT_1007)
    assert response.headers["x-mbx-used-weight-1m"] == "110"
    assert _read_records(client).json()["total"] == 1


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("POST", REPAY, [("asset", "BTC"), ("amount", "0.01")]),
        ("POST", BORROW, [("asset", "BTC"), ("amount", "1")]),
        ("POST", "/papi/v1/margin/repay-debt", [("asset", "BTC"), ("amount", "0.01")]),
        ("GET", RECORDS, [("asset", "BTC"), ("startTime", "1")]),
        ("GET", LOANS, [("asset", "BTC"), ("startTime", "1")]),
        ("GET", "/papi/v1/balance", []),
        ("GET", "/papi/v1/ping", None),
        ("GET", "/api/v3/time", None),
    ],
)
def test_path_none_strikes_every_public_endpoint(sandbox, client, method, path, params):
    sandbox.faults.inject("unknown_before", path=None, status=408, code=-1007, times=None)
    before = sandbox.ledger.balances("acct-hmac")
    if params is None:
        response = client.http.request(method, path)
    else:
        response = client.send(method, path, query=[*params, ("timestamp", str(now_ms()))])
    assert_error(response, 408, -1007, UNKNOWN)
    assert sandbox.ledger.balances("acct-hmac") == before
    assert sandbox.ledger.repays("acct-hmac") == [] and sandbox.ledger.loans("acct-hmac") == []


def test_unavailable_and_overloaded_take_a_status(sandbox, client):
    sandbox.faults.inject("unavailable", status=502)
    sandbox.faults.inject("overloaded", status=504)
    assert_error(client.repay(), 502, -1000, "Service Unavailable.")
    assert_error(client.repay(), 504, -1008)
    assert sandbox.ledger.repays("acct-hmac") == []


def test_status_and_ms_through_the_admin_api(sandbox, client, http):
    armed = http.post(
        "/sandbox-admin/faults",
        json={"kind": "unknown_after", "status": 408, "code": -1007, "path": None},
    )
    assert armed.status_code == 200, armed.text
    (fault,) = armed.json()["faults"]
    assert (fault["kind"], fault["status"], fault["code"], fault["path"]) == (
        "unknown_after",
        408,
        -1007,
        None,
    )
    assert_error(client.repay(), 408, -1007, UNKNOWN)
    assert len(sandbox.ledger.repays("acct-hmac")) == 1


def test_with_faults_armed_other_paths_and_methods_still_go_to_starlette(sandbox, http):
    sandbox.faults.inject("unknown_after", path=None, times=None, status=408, code=-1007)
    missing = http.get("/papi/v1/nothing-here")
    assert_error(missing, 404, -1020)
    assert missing.headers["x-mbx-used-weight-1m"] == "1"
    head = http.head("/papi/v1/ping")  # HEAD is Starlette's, after faults apply all the same
    assert head.status_code == 408
    assert head.headers["x-mbx-used-weight-1m"] == "2"
