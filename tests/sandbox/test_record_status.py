"""Repay records made PENDING or FAILED on purpose, so a client's reconciliation can meet them."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.ledger import Ledger
from papi_sandbox.ledger_records import (
    RECORD_STATUSES,
    STATUS_CONFIRMED,
    STATUS_FAILED,
    STATUS_PENDING,
)
from papi_sandbox.ledger_rules import UnknownAccount, UnknownRecord

STATUS = "/sandbox-admin/records/status"


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    led = Ledger() if request.param == "memory" else Ledger(tmp_path / "l.db")
    seed = {"BTC": AssetSeed(Decimal(1), Decimal(0), Decimal(5))}
    led.save_account(AccountSpec("bob", "bob-key", "hmac", "s", seed), True)
    led.save_account(AccountSpec("eve", "eve-key", "hmac", "s", seed), True)
    yield led
    led.close()


def test_statuses():
    assert set(RECORD_STATUSES) == {STATUS_PENDING, STATUS_CONFIRMED, STATUS_FAILED}


def test_set_record_status_changes_only_that_record(ledger):
    first = ledger.repay("bob", "BTC", Decimal("0.1"), 1000)
    second = ledger.repay("bob", "BTC", Decimal("0.2"), 2000)
    balances = ledger.balances("bob")
    updated = ledger.set_record_status("bob", first.tran_id, STATUS_PENDING)
    assert updated.status == STATUS_PENDING
    assert updated.tran_id == first.tran_id
    assert updated.amount == Decimal("0.10000000")
    newest, oldest = ledger.repays("bob")
    assert (newest.tran_id, newest.status) == (second.tran_id, STATUS_CONFIRMED)
    assert oldest == updated
    assert ledger.balances("bob") == balances  # a status is a label; no money moves
    assert ledger.set_record_status("bob", first.tran_id, STATUS_FAILED).status == STATUS_FAILED
    assert ledger.repays("bob", tran_id=first.tran_id)[0].status == STATUS_FAILED


def test_set_record_status_refusals(ledger):
    record = ledger.repay("bob", "BTC", Decimal("0.1"), 1000)
    with pytest.raises(ValueError, match="status"):
        ledger.set_record_status("bob", record.tran_id, "DONE")
    with pytest.raises(UnknownRecord):
        ledger.set_record_status("bob", record.tran_id + 1, STATUS_PENDING)
    with pytest.raises(UnknownRecord):  # another account's record is not this one's
        ledger.set_record_status("eve", record.tran_id, STATUS_PENDING)
    with pytest.raises(UnknownAccount):
        ledger.set_record_status("nobody", record.tran_id, STATUS_PENDING)
    assert issubclass(UnknownRecord, KeyError)
    assert ledger.repays("bob")[0].status == STATUS_CONFIRMED


def test_a_repay_can_store_a_pending_record(ledger):
    record = ledger.repay("bob", "BTC", Decimal("0.1"), 1000, status=STATUS_PENDING)
    assert record.status == STATUS_PENDING
    assert ledger.repays("bob")[0].status == STATUS_PENDING


def test_admin_endpoint_and_handle(sandbox, http, client):
    tran_id = client.repay("BTC", "0.15").json()["tranId"]
    response = http.post(
        STATUS, json={"account": "acct-hmac", "tranId": tran_id, "status": "PENDING"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "PENDING"
    assert response.json()["txId"] == tran_id
    (row,) = client.records(asset="BTC", txId=tran_id).json()["rows"]
    assert row["status"] == "PENDING"
    assert sandbox.ledger.set_record_status("acct-hmac", tran_id, "FAILED").status == "FAILED"
    (row,) = client.records(asset="BTC", txId=tran_id).json()["rows"]
    assert row["status"] == "FAILED"


# Placeholders for the tranId the test's repay gets: as a number, and as a string.
ID, ID_TEXT = "<tranId>", "<tranId as text>"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"account": "acct-hmac", "tranId": 1, "status": "PENDING"}, 404),
        ({"account": "nobody", "tranId": ID, "status": "PENDING"}, 404),
        ({"account": "acct-hmac", "tranId": ID, "status": "pending"}, 400),
        ({"account": "acct-hmac", "tranId": True, "status": "PENDING"}, 400),
        ({"account": "acct-hmac", "tranId": ID_TEXT, "status": "PENDING"}, 400),
        ({"account": "acct-hmac", "tranId": ID}, 400),
        ({"account": "acct-hmac", "tranId": ID, "status": "FAILED", "x": 1}, 400),
    ],
)
def test_admin_endpoint_refusals(sandbox, http, client, body, status):
    tran_id = client.repay().json()["tranId"]
    placed = {ID: tran_id, ID_TEXT: str(tran_id)}
    body = {name: placed.get(value, value) for name, value in body.items()}
    response = http.post(STATUS, json=body)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert sandbox.ledger.repays("acct-hmac")[0].status == "CONFIRMED"


def test_pending_record_fault_marks_the_next_successful_repay(sandbox, http, client):
    sandbox.faults.inject("pending_record")
    assert client.repay("ETH", "1").json()["code"] == -3015  # rejected: the fault stays armed
    assert [f.kind for f in sandbox.faults.active()] == ["pending_record"]
    response = client.repay("BTC", "0.01")
    assert response.status_code == 200
    tran_id = response.json()["tranId"]
    assert sandbox.faults.active() == []
    (row,) = client.records(asset="BTC", txId=tran_id).json()["rows"]
    assert row["status"] == "PENDING"
    assert client.repay("BTC", "0.01").status_code == 200  # times=1: the next one is normal
    assert [r.status for r in sandbox.ledger.repays("acct-hmac")] == ["CONFIRMED", "PENDING"]


def test_pending_record_fault_over_the_admin_api(sandbox, http, client):
    armed = http.post("/sandbox-admin/faults", json={"kind": "pending_record", "times": 2})
    assert armed.status_code == 200, armed.text
    for _ in range(3):
        assert client.repay().status_code == 200
    assert [r.status for r in sandbox.ledger.repays("acct-hmac")] == [
        "CONFIRMED",
        "PENDING",
        "PENDING",
    ]
