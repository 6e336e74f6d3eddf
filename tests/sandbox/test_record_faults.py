"""stamp_shift and record_lag: a record stamped away from its timestamp check, and a record
that exists (balances moved) before the record queries show it. All on the sandbox's pinned
clock: nothing here waits in real time."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.sandbox.helpers import assert_error

NOW = 1_700_000_000_000
BORROW = "/papi/v1/marginLoan"
LOANS = "/papi/v1/margin/marginLoan"
REPAY_DEBT = "/papi/v1/margin/repay-debt"


@pytest.fixture
def pinned(sandbox):
    sandbox.clock.pin(NOW)
    return sandbox


def _signed(client, sandbox, method: str, path: str, **params: str | int):
    pairs = [(name, str(value)) for name, value in params.items()]
    return client.send(method, path, query=[*pairs, ("timestamp", str(sandbox.clock.now_ms()))])


def _repay_records(client, sandbox, **params: str | int) -> dict:
    response = _signed(client, sandbox, "GET", "/papi/v1/margin/repayLoan", asset="BTC", **params)
    assert response.status_code == 200, response.text
    return response.json()


def _loan_records(client, sandbox, **params: str | int) -> dict:
    response = _signed(client, sandbox, "GET", LOANS, asset="BTC", **params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("shift", [-60_000, -999, 1, 2_500, 60_000])
def test_stamp_shift_moves_the_record_timestamp(pinned, client, shift):
    pinned.faults.inject("stamp_shift", ms=shift)
    tran_id = client.repay(timestamp=NOW).json()["tranId"]
    (record,) = pinned.ledger.repays("acct-hmac")
    assert (record.tran_id, record.timestamp) == (tran_id, NOW + shift)
    (row,) = _repay_records(client, pinned, txId=tran_id)["rows"]
    assert row["timestamp"] == NOW + shift
    assert client.repay(timestamp=NOW).status_code == 200  # times=1: the next is stamped NOW
    assert pinned.ledger.repays("acct-hmac")[0].timestamp == NOW


def test_stamp_shift_is_used_only_by_a_request_that_succeeds(pinned, client):
    pinned.faults.inject("stamp_shift", ms=-500)
    assert_error(client.repay("XRP", "1", timestamp=NOW), 400, -3027)
    assert [f.kind for f in pinned.faults.active()] == ["stamp_shift"]
    client.repay(timestamp=NOW)
    assert pinned.ledger.repays("acct-hmac")[0].timestamp == NOW - 500
    assert pinned.faults.active() == []


def test_stamp_shift_on_a_borrow_and_a_repay_debt(pinned, client):
    pinned.faults.inject("stamp_shift", ms=-700, path=BORROW)
    pinned.faults.inject("stamp_shift", ms=300, path=REPAY_DEBT)
    borrowed = _signed(client, pinned, "POST", BORROW, asset="BTC", amount="1")
    (loan,) = pinned.ledger.loans("acct-hmac")
    assert (loan.tran_id, loan.timestamp) == (borrowed.json()["tranId"], NOW - 700)
    assert _loan_records(client, pinned, startTime=NOW - 1000)["rows"][0]["timestamp"] == NOW - 700
    answer = _signed(client, pinned, "POST", REPAY_DEBT, asset="BTC", amount="0.5").json()
    assert answer["updateTime"] == NOW + 300
    assert pinned.ledger.repays("acct-hmac")[0].timestamp == NOW + 300


def test_record_lag_hides_the_record_from_both_query_forms_and_total(pinned, client, http):
    before = pinned.ledger.balances("acct-hmac")["BTC"].liability
    pinned.faults.inject("record_lag", ms=3_000)
    tran_id = client.repay("BTC", "0.01", timestamp=NOW).json()["tranId"]

    # It exists: balances moved, the ledger and the admin API list it.
    assert pinned.ledger.balances("acct-hmac")["BTC"].liability == before - Decimal("0.01")
    assert [r.tran_id for r in pinned.ledger.repays("acct-hmac")] == [tran_id]
    admin_rows = http.get("/sandbox-admin/accounts/acct-hmac/repays").json()["repays"]
    assert [row["tranId"] for row in admin_rows] == [tran_id]

    # The record queries do not show it until the clock reaches stamp + 3000.
    for shift in (0, 2_999):
        pinned.clock.pin(NOW + shift)
        assert _repay_records(client, pinned, txId=tran_id) == {"rows": [], "total": 0}
        assert _repay_records(client, pinned, startTime=NOW - 1000) == {"rows": [], "total": 0}
    pinned.clock.pin(NOW + 3_000)
    (row,) = _repay_records(client, pinned, txId=tran_id)["rows"]
    assert (row["txId"], row["timestamp"]) == (tran_id, NOW)
    assert _repay_records(client, pinned, startTime=NOW - 1000)["total"] == 1


def test_record_lag_hides_only_its_own_record_and_counts_from_the_stamp(pinned, client):
    shown = client.repay("BTC", "0.01", timestamp=NOW).json()["tranId"]
    pinned.faults.inject("stamp_shift", ms=-400)
    pinned.faults.inject("record_lag", ms=1_000)
    hidden = client.repay("BTC", "0.02", timestamp=NOW).json()["tranId"]
    page = _repay_records(client, pinned, startTime=NOW - 1000)
    assert ([r["txId"] for r in page["rows"]], page["total"]) == ([shown], 1)
    pinned.clock.pin(NOW - 400 + 1_000)  # visible from stamp (NOW - 400) + 1000
    page = _repay_records(client, pinned, startTime=NOW - 1000)
    assert [r["txId"] for r in page["rows"]] == [hidden, shown]
    assert page["total"] == 2


def test_record_lag_on_a_loan_record(pinned, client):
    pinned.faults.inject("record_lag", ms=10_000, path=BORROW)
    tran_id = _signed(client, pinned, "POST", BORROW, asset="BTC", amount="1").json()["tranId"]
    assert pinned.ledger.balances("acct-hmac")["BTC"].principal == Decimal(2)
    assert _loan_records(client, pinned, txId=tran_id) == {"rows": [], "total": 0}
    assert _loan_records(client, pinned, startTime=NOW - 1000)["total"] == 0
    pinned.clock.shift(10_000)
    assert _loan_records(client, pinned, txId=tran_id)["total"] == 1
    assert _loan_records(client, pinned, startTime=NOW - 1000)["total"] == 1


def test_reset_forgets_hidden_records_and_a_rejected_request_leaves_the_lag_armed(pinned, client):
    pinned.faults.inject("record_lag", ms=5_000)
    assert_error(client.repay("BTC", "5", timestamp=NOW), 400, -3015)
    assert [f.kind for f in pinned.faults.active()] == ["record_lag"]
    client.repay(timestamp=NOW)
    assert _repay_records(client, pinned, startTime=NOW - 1000)["total"] == 0
    pinned.reset()
    pinned.clock.pin(NOW)
    client.repay(timestamp=NOW)
    assert _repay_records(client, pinned, startTime=NOW - 1000)["total"] == 1


def test_record_faults_over_the_admin_api(pinned, client, http):
    for body in ({"kind": "stamp_shift", "ms": -250}, {"kind": "record_lag", "ms": 100}):
        assert http.post("/sandbox-admin/faults", json=body).status_code == 200
    shown = http.get("/sandbox-admin/faults").json()["faults"]
    assert [(f["kind"], f["ms"]) for f in shown] == [("stamp_shift", -250), ("record_lag", 100)]
    client.repay(timestamp=NOW)
    assert pinned.ledger.repays("acct-hmac")[0].timestamp == NOW - 250
    pinned.clock.pin(NOW - 250 + 99)
    assert _repay_records(client, pinned, startTime=NOW - 1000)["total"] == 0
    pinned.clock.pin(NOW - 250 + 100)
    assert _repay_records(client, pinned, startTime=NOW - 1000)["total"] == 1
