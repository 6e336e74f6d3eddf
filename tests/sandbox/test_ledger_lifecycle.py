"""The loan lifecycle in the ledger (borrow, loan records, repay-debt, interest, borrow limits),
in memory and written through to a --db file."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from papi_sandbox.accounts import AccountSpec, AssetSeed, load_accounts_file
from papi_sandbox.ledger import Ledger
from papi_sandbox.ledger_records import STATUS_CONFIRMED, Balance, LoanRecord
from papi_sandbox.ledger_rules import (
    BorrowLimitExceeded,
    ExceedsLiability,
    InsufficientBalance,
    UnknownAccount,
    UnknownAsset,
)
from tests.sandbox.helpers import FROZEN_TRAN_ID as FIRST_TRAN_ID

D = Decimal


def spec(name: str, **assets: AssetSeed) -> AccountSpec:
    return AccountSpec(name, f"{name}-key", "hmac", "secret", assets)


@pytest.fixture(autouse=True)
def _frozen(frozen_tran_ids: int) -> None:
    """tranIds from FIRST_TRAN_ID in every test here (the wall clock stands still)."""


@pytest.fixture(params=["memory", "sqlite-file"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    led = Ledger() if request.param == "memory" else Ledger(tmp_path / "l.sqlite3")
    led.save_account(
        spec(
            "bob",
            BTC=AssetSeed(D(1), D("0.1"), D(10), borrow_limit=D(5)),
            USDT=AssetSeed(D(100), D(0), D(50)),
            ETH=AssetSeed(D(0), D(0), D(5)),
        ),
        True,
    )
    yield led
    led.close()


def test_borrow_raises_principal_and_free_and_records_the_loan(ledger):
    loan = ledger.borrow("bob", "BTC", D("2.5"), 1_000)
    assert loan == LoanRecord(FIRST_TRAN_ID, "bob", "BTC", D("2.5"), STATUS_CONFIRMED, 1_000)
    assert ledger.balances("bob")["BTC"] == Balance(D("3.5"), D("0.1"), D("12.5"))
    assert ledger.loans("bob") == [loan]
    assert loan.as_api_row() == {
        "asset": "BTC",
        "principal": "2.50000000",
        "status": "CONFIRMED",
        "timestamp": 1_000,
        "txId": FIRST_TRAN_ID,
    }


def test_loans_and_repays_share_one_tran_id_sequence(ledger):
    first = ledger.borrow("bob", "BTC", D(1), 1)
    repay = ledger.repay("bob", "BTC", D("0.1"), 2)
    debt = ledger.repay_debt("bob", "USDT", D(1), 3)
    second = ledger.borrow("bob", "ETH", D(1), 4)
    assert [first.tran_id, repay.tran_id, debt.tran_id, second.tran_id] == [
        FIRST_TRAN_ID + i for i in range(4)
    ]
    assert [r.tran_id for r in ledger.repays("bob")] == [debt.tran_id, repay.tran_id]
    assert [r.tran_id for r in ledger.loans("bob")] == [second.tran_id, first.tran_id]


def test_loans_filter_like_repays(ledger):
    ledger.borrow("bob", "BTC", D(1), 100)
    ledger.borrow("bob", "ETH", D(1), 200)
    ledger.borrow("bob", "BTC", D(2), 300)
    assert [r.principal for r in ledger.loans("bob", asset="BTC")] == [D(2), D(1)]
    assert [r.timestamp for r in ledger.loans("bob", start_ms=200, end_ms=300)] == [300, 200]
    assert ledger.loans("bob", tran_id=FIRST_TRAN_ID + 1)[0].asset == "ETH"
    assert ledger.loans("bob", tran_id=2**63 - 1) == []
    assert ledger.loans("nobody") == []


@pytest.mark.parametrize("tran_id", [-1, 2**63, 2**70])
def test_a_tran_id_no_record_can_have_finds_nothing_in_either_kind(ledger, tran_id):
    ledger.borrow("bob", "BTC", D(1), 100)
    assert ledger.loans("bob", tran_id=tran_id) == []
    assert ledger.repays("bob", tran_id=tran_id) == []  # the SQLite ledger raised OverflowError


def test_borrow_limit_caps_the_debt_after_the_borrow(ledger):
    # BTC: principal 1 + interest 0.1, limit 5: 3.9 more is the most.
    with pytest.raises(BorrowLimitExceeded):
        ledger.borrow("bob", "BTC", D("3.90000001"), 1)
    assert ledger.loans("bob") == []
    ledger.borrow("bob", "BTC", D("3.9"), 1)
    assert ledger.balances("bob")["BTC"].liability == D(5)
    ledger.set_borrow_limit("bob", "BTC", None)
    ledger.borrow("bob", "BTC", D(100), 2)
    assert ledger.borrow_limits("bob") == {}


def test_without_a_limit_only_the_stored_range_bounds_a_borrow(ledger):
    before = ledger.balances("bob")
    with pytest.raises(BorrowLimitExceeded):
        ledger.borrow("bob", "USDT", D(10) ** 20 - 100, 1)
    assert ledger.balances("bob") == before
    ledger.borrow("bob", "USDT", D(10) ** 20 - 101, 1)


def test_a_borrow_of_a_new_asset_creates_it(ledger):
    ledger.borrow("bob", "SOL", D("0.5"), 1)
    assert ledger.balances("bob")["SOL"] == Balance(D("0.5"), D(0), D("0.5"))


def test_borrow_needs_an_account(ledger):
    with pytest.raises(UnknownAccount):
        ledger.borrow("nobody", "BTC", D(1), 1)
    with pytest.raises(UnknownAccount):
        ledger.add_interest("nobody", "BTC", D(1))
    with pytest.raises(UnknownAccount):
        ledger.set_borrow_limit("nobody", "BTC", D(1))
    with pytest.raises(UnknownAccount):
        ledger.borrow_limits("nobody")


def test_repay_debt_without_amount_repays_everything_interest_first(ledger):
    record = ledger.repay_debt("bob", "BTC", None, 5)
    assert (record.amount, record.interest, record.principal) == (D("1.1"), D("0.1"), D(1))
    assert record.status == STATUS_CONFIRMED and record.timestamp == 5
    assert ledger.balances("bob")["BTC"] == Balance(D(0), D(0), D("8.9"))
    assert ledger.repays("bob") == [record]


def test_repay_debt_with_amount_repays_that_much(ledger):
    record = ledger.repay_debt("bob", "BTC", D("0.5"), 5)
    assert (record.interest, record.principal) == (D("0.1"), D("0.4"))
    assert ledger.balances("bob")["BTC"] == Balance(D("0.6"), D(0), D("9.5"))


@pytest.mark.parametrize(
    ("asset", "amount", "error"),
    [
        ("XRP", None, UnknownAsset),
        ("ETH", None, ExceedsLiability),  # nothing owed
        ("ETH", "1", ExceedsLiability),
        ("BTC", "1.2", ExceedsLiability),
        ("USDT", None, InsufficientBalance),  # owes 100, holds 50
        ("USDT", "50.00000001", InsufficientBalance),
    ],
)
def test_refused_repay_debts_change_nothing(ledger, asset, amount, error):
    before = ledger.balances("bob")
    with pytest.raises(error):
        ledger.repay_debt("bob", asset, None if amount is None else D(amount), 1)
    assert ledger.balances("bob") == before
    assert ledger.repays("bob") == []
    assert ledger.borrow("bob", "ETH", D(1), 2).tran_id == FIRST_TRAN_ID  # no tranId used


def test_add_interest_accrues_and_repay_pays_it_first(ledger):
    after = ledger.add_interest("bob", "USDT", D("0.25"))
    assert after == Balance(D(100), D("0.25"), D(50))
    assert ledger.balances("bob")["USDT"] == after
    assert ledger.add_interest("bob", "NEW", D(1)) == Balance(D(0), D(1), D(0))
    record = ledger.repay("bob", "USDT", D(1), 1)
    assert (record.interest, record.principal) == (D("0.25"), D("0.75"))
    with pytest.raises(ValueError):
        ledger.add_interest("bob", "USDT", D(10) ** 20)
    assert ledger.balances("bob")["USDT"].interest == 0


def test_last_activity_is_the_newest_record_per_asset(ledger):
    assert ledger.last_activity("bob") == {}
    ledger.borrow("bob", "BTC", D(1), 100)
    ledger.repay("bob", "BTC", D("0.1"), 300)
    ledger.repay_debt("bob", "USDT", D(1), 200)
    assert ledger.last_activity("bob") == {"BTC": 300, "USDT": 200}


def test_seeded_limits_are_configuration_and_replace_resets_them(ledger):
    assert ledger.borrow_limits("bob") == {"BTC": D(5)}
    # Kept balances, yet the file's (new) limit applies.
    ledger.save_account(spec("bob", BTC=AssetSeed(D(9), borrow_limit=D(7))), False)
    assert ledger.borrow_limits("bob") == {"BTC": D(7)}
    assert ledger.balances("bob")["BTC"].principal == 1
    ledger.save_account(spec("bob", ETH=AssetSeed()), True)
    assert ledger.borrow_limits("bob") == {}
    ledger.set_borrow_limit("bob", "ETH", D("1.5"))
    assert ledger.borrow_limits("bob") == {"ETH": D("1.5")}
    ledger.seed("bob", "SOL", AssetSeed(borrow_limit=D(3)))
    assert ledger.borrow_limits("bob") == {"ETH": D("1.5"), "SOL": D(3)}


def test_wipe_forgets_loans_and_limits(ledger):
    ledger.borrow("bob", "BTC", D(1), 1)
    ledger.wipe()
    ledger.save_account(spec("bob"), True)
    assert ledger.loans("bob") == [] and ledger.borrow_limits("bob") == {}
    assert ledger.borrow("bob", "BTC", D(1), 1).tran_id == FIRST_TRAN_ID + 1  # never reissued


def test_a_db_file_keeps_loans_and_limits_across_reopening(tmp_path):
    path = tmp_path / "kept.sqlite3"
    first = Ledger(path)
    first.save_account(spec("bob", BTC=AssetSeed(borrow_limit=D(2))), True)
    loan = first.borrow("bob", "BTC", D(1), 7)
    first.close()
    second = Ledger(path)
    assert second.loans("bob") == [loan]
    assert second.borrow_limits("bob") == {"BTC": D(2)}
    assert second.borrow("bob", "BTC", D(1), 8).tran_id == loan.tran_id + 1
    second.close()


def test_accounts_file_reads_borrow_limits(tmp_path):
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "accounts:\n"
        "  - {name: a, api_key: a-key, key_type: hmac, secret: s,\n"
        '     assets: {BTC: {principal: "1", borrow_limit: "10"}, ETH: {borrow_limit: null}}}\n'
    )
    (account,) = load_accounts_file(path)
    assert account.assets["BTC"] == AssetSeed(principal=D(1), borrow_limit=D(10))
    assert account.assets["ETH"].borrow_limit is None
    path.write_text(
        "accounts:\n"
        "  - {name: a, api_key: a-key, key_type: hmac, secret: s,\n"
        '     assets: {BTC: {borrow_limit: "-1"}}}\n'
    )
    with pytest.raises(ValueError, match="borrow_limit"):
        load_accounts_file(path)
