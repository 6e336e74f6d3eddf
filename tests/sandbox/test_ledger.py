"""The ledger, in memory (no --db) and written through to a --db file.

Both answer alike: the same rules, the same stored amounts (8 places, so even the Decimal
representations match), the same orders and the same errors; and a --db file reopened holds
exactly what the ledger held.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.ledger import Ledger
from papi_sandbox.ledger_records import Balance
from papi_sandbox.ledger_rules import (
    ExceedsLiability,
    InsufficientBalance,
    LedgerRejection,
    UnknownAccount,
    UnknownAsset,
    UnknownRecord,
)
from tests.sandbox.helpers import FROZEN_TRAN_ID as FIRST_TRAN_ID

D = Decimal
SECRET = "ledger-test-secret"
Factory = Callable[[], Ledger]


def spec(name: str, api_key: str | None = None, **assets: tuple[str, str, str]) -> AccountSpec:
    seeds = {asset: AssetSeed(D(p), D(i), D(f)) for asset, (p, i, f) in assets.items()}
    return AccountSpec(name, api_key or f"{name}-key", "hmac", SECRET, seeds)


@pytest.fixture(autouse=True)
def _frozen(frozen_tran_ids: int) -> None:
    """tranIds from FIRST_TRAN_ID in every test here (the wall clock stands still)."""


@pytest.fixture(params=["memory", "sqlite-file"])
def make_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    opened: list[Ledger] = []

    def build() -> Ledger:
        index = len(opened)
        ledger = Ledger() if request.param == "memory" else Ledger(tmp_path / f"l{index}.sqlite3")
        opened.append(ledger)
        return ledger

    yield build
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(make_ledger: Factory) -> Ledger:
    led = make_ledger()
    led.save_account(spec("bob", BTC=("1", "0.1", "10"), USDT=("100", "0", "50")), True)
    led.save_account(spec("alice", ETH=("0", "0", "5")), True)
    return led


def test_a_fresh_ledger_is_empty(make_ledger):
    led = make_ledger()
    assert led.accounts() == []
    assert led.repays("nobody") == []
    with pytest.raises(UnknownAccount):
        led.balances("nobody")
    with pytest.raises(UnknownAccount):
        led.set_balance("nobody", "BTC", principal=D(1))


def test_seeds_are_stored_with_8_places_and_listed_by_asset(ledger):
    balances = ledger.balances("bob")
    assert list(balances) == ["BTC", "USDT"]
    assert repr(balances["BTC"]) == repr(
        Balance(D("1.00000000"), D("0.10000000"), D("10.00000000"))
    )
    assert balances["BTC"].as_json() == {
        "principal": "1.00000000",
        "interest": "0.10000000",
        "free": "10.00000000",
    }
    assert ledger.balances("alice") == {"ETH": Balance(D(0), D(0), D(5))}


def test_accounts_are_listed_by_name_and_replaced_by_name(ledger):
    assert [a.name for a in ledger.accounts()] == ["alice", "bob"]
    ledger.save_account(spec("bob", "bob-new-key", BTC=("7", "0", "7")), False)
    (alice, bob) = ledger.accounts()
    assert (bob.name, bob.api_key, bob.key_type, bob.key) == ("bob", "bob-new-key", "hmac", SECRET)
    assert alice.api_key == "alice-key"
    # Without replace_balances only assets the account lacks are seeded.
    assert ledger.balances("bob")["BTC"] == Balance(D(1), D("0.1"), D(10))
    ledger.save_account(spec("bob", "bob-new-key", XRP=("1", "0", "1")), False)
    assert list(ledger.balances("bob")) == ["BTC", "USDT", "XRP"]
    ledger.save_account(spec("bob", "bob-new-key", XRP=("2", "0", "2")), True)
    assert ledger.balances("bob") == {"XRP": Balance(D(2), D(0), D(2))}


def test_set_balance_merges_fields_and_returns_them_as_given(ledger):
    given = ledger.set_balance("bob", "BTC", interest=D("0.123456789"))
    assert given == Balance(D(1), D("0.123456789"), D(10))
    assert repr(ledger.balances("bob")["BTC"].interest) == repr(D("0.12345679"))
    assert ledger.set_balance("bob", "NEW", free=D(3)) == Balance(D(0), D(0), D(3))
    assert ledger.balances("bob")["NEW"] == Balance(D(0), D(0), D(3))
    assert ledger.seed("bob", "NEW", AssetSeed(D(1), D(2), D(3))) == Balance(D(1), D(2), D(3))


def test_an_amount_too_large_to_store_changes_nothing(ledger):
    before = ledger.balances("bob")
    with pytest.raises(InvalidOperation):
        ledger.set_balance("bob", "BTC", principal=D("1" * 21))
    assert ledger.balances("bob") == before


@pytest.mark.parametrize(
    ("asset", "amount", "error"),
    [
        ("XRP", "1", UnknownAsset),  # never held
        ("BTC", "1.10000001", ExceedsLiability),
        ("USDT", "150", ExceedsLiability),  # before the short balance
        ("USDT", "50.00000001", InsufficientBalance),
    ],
)
def test_rejected_repays_change_nothing_and_use_no_tran_id(ledger, asset, amount, error):
    before = ledger.balances("bob")
    with pytest.raises(error):
        ledger.repay("bob", asset, D(amount), 5)
    assert issubclass(error, LedgerRejection)
    assert ledger.balances("bob") == before
    assert ledger.repays("bob") == []
    assert ledger.repay("bob", "BTC", D("0.01"), 5).tran_id == FIRST_TRAN_ID


def test_an_account_without_balances_has_no_asset(ledger):
    with pytest.raises(UnknownAsset):
        ledger.repay("ghost", "BTC", D(1), 0)


def test_repay_pays_interest_first_and_keeps_a_record(ledger):
    returned = ledger.repay("bob", "BTC", D("0.15"), 1_000)
    assert (returned.tran_id, returned.account, returned.asset) == (FIRST_TRAN_ID, "bob", "BTC")
    assert (returned.amount, returned.interest, returned.principal) == (
        D("0.15"),
        D("0.10000000"),
        D("0.05"),
    )
    assert (returned.status, returned.timestamp) == ("CONFIRMED", 1_000)
    assert repr(ledger.balances("bob")["BTC"]) == repr(
        Balance(D("0.95000000"), D("0E-8"), D("9.85000000"))
    )
    (stored,) = ledger.repays("bob")
    assert stored == returned
    assert repr(stored.amount) == repr(D("0.15000000"))
    assert stored.as_api_row() == {
        "amount": "0.15000000",
        "asset": "BTC",
        "interest": "0.10000000",
        "principal": "0.05000000",
        "status": "CONFIRMED",
        "timestamp": 1_000,
        "txId": FIRST_TRAN_ID,
    }


def test_records_newest_first_with_filters(ledger):
    ledger.repay("bob", "BTC", D("0.01"), 100)
    ledger.repay("bob", "USDT", D("1"), 200)
    ledger.repay("bob", "BTC", D("0.02"), 300)
    ids = [r.tran_id for r in ledger.repays("bob")]
    assert ids == [FIRST_TRAN_ID + 2, FIRST_TRAN_ID + 1, FIRST_TRAN_ID]
    assert [r.timestamp for r in ledger.repays("bob", asset="BTC")] == [300, 100]
    assert [r.timestamp for r in ledger.repays("bob", tran_id=FIRST_TRAN_ID + 1)] == [200]
    assert [r.timestamp for r in ledger.repays("bob", start_ms=200)] == [300, 200]
    assert [r.timestamp for r in ledger.repays("bob", end_ms=200)] == [200, 100]
    assert [r.timestamp for r in ledger.repays("bob", "BTC", None, 100, 100)] == [100]
    assert ledger.repays("alice") == []
    assert ledger.repays("bob", asset="XRP") == []


def test_wipe_forgets_everything_but_never_reissues_a_tran_id(ledger):
    ledger.repay("bob", "BTC", D("0.01"), 1)
    ledger.wipe()
    assert ledger.accounts() == []
    assert ledger.repays("bob") == []
    ledger.save_account(spec("bob", BTC=("1", "0", "1")), True)
    assert ledger.repay("bob", "BTC", D("0.5"), 2).tran_id == FIRST_TRAN_ID + 1


def test_amounts_beyond_8_places_are_stored_rounded_half_even(ledger):
    # Validation lets 20+9 digits through (normalize rounds them to 28 significant digits);
    # the ledger computes exactly and stores 8 places.
    big = D("12345678901234567890.123456785")
    ledger.set_balance("bob", "BIG", principal=D("9" * 20), free=D("9" * 20))
    returned = ledger.repay("bob", "BIG", big, 0)
    assert returned.amount == big
    (stored,) = ledger.repays("bob")
    assert repr(stored.amount) == repr(D("12345678901234567890.12345678"))
    assert repr(ledger.balances("bob")["BIG"].principal) == repr(D("87654321098765432108.87654322"))


def _random_operations(led: Ledger, seed: int) -> list[str]:
    """A random workload; every answer and every error, as text."""
    rnd = random.Random(seed)
    out: list[str] = []
    amounts = ["0.00000001", "0.01", "0.1", "0.15", "1", "1.5", "2.000000005", "50", "0.123456789"]
    names = ["a", "b", "c"]
    for step in range(300):
        op = rnd.random()
        try:
            if op < 0.08:
                name = rnd.choice(names)
                assets = {
                    asset: (rnd.choice(amounts), rnd.choice(amounts), rnd.choice(amounts))
                    for asset in rnd.sample(["BTC", "ETH", "USDT"], rnd.randint(0, 3))
                }
                led.save_account(spec(name, **assets), rnd.random() < 0.5)
                result: object = None
            elif op < 0.15:
                result = led.set_balance(
                    rnd.choice(names),
                    rnd.choice(["BTC", "ETH", "XRP"]),
                    **{
                        field: D(rnd.choice(amounts))
                        for field in rnd.sample(["principal", "interest", "free"], 2)
                    },
                )
            elif op < 0.55:
                result = led.repay(
                    rnd.choice(names),
                    rnd.choice(["BTC", "ETH", "USDT", "XRP"]),
                    D(rnd.choice(amounts)),
                    step,
                    rnd.choice(["CONFIRMED", "CONFIRMED", "PENDING"]),
                )
            elif op < 0.6:
                amount = rnd.choice([None, *amounts])
                result = led.repay_debt(
                    rnd.choice(names),
                    rnd.choice(["BTC", "ETH", "USDT"]),
                    None if amount is None else D(amount),
                    step,
                )
            elif op < 0.66:
                result = led.borrow(
                    rnd.choice(names), rnd.choice(["BTC", "ETH"]), D(rnd.choice(amounts)), step
                )
            elif op < 0.7:
                result = led.add_interest(
                    rnd.choice(names), rnd.choice(["BTC", "USDT"]), D(rnd.choice(amounts))
                )
            elif op < 0.74:
                limit = rnd.choice([None, *amounts])
                led.set_borrow_limit(
                    rnd.choice(names),
                    rnd.choice(["BTC", "ETH"]),
                    None if limit is None else D(limit),
                )
                result = None
            elif op < 0.78:
                name = rnd.choice(names)
                records = led.repays(name)
                tran_id = rnd.choice(records).tran_id if records else 0
                result = led.set_record_status(name, tran_id, rnd.choice(["FAILED", "CONFIRMED"]))
            elif op < 0.86:
                result = led.balances(rnd.choice(names))
            elif op < 0.99:
                query = rnd.choice([led.repays, led.loans])
                result = query(
                    rnd.choice(names),
                    asset=rnd.choice([None, "BTC", "ETH"]),
                    start_ms=rnd.choice([None, 50]),
                    end_ms=rnd.choice([None, 250]),
                )
            else:
                led.wipe()
                result = None
            out.append(repr(result))
        except (LedgerRejection, UnknownAccount, UnknownRecord, ValueError) as error:
            out.append(f"{type(error).__name__}: {error}")
    out.append(repr(led.accounts()))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_memory_and_a_db_file_answer_alike(tmp_path, seed):
    memory, kept = Ledger(), Ledger(tmp_path / "ledger.sqlite3")
    try:
        assert _random_operations(memory, seed) == _random_operations(kept, seed)
    finally:
        memory.close()
        kept.close()


def _held(led: Ledger) -> list[str]:
    """Everything the ledger holds for the workload's accounts, as text."""
    held = [repr(led.accounts())]
    for name in ("a", "b", "c"):
        try:
            held += [repr(led.balances(name)), repr(led.borrow_limits(name))]
        except UnknownAccount:
            held.append(f"no account {name}")
        held += [repr(led.repays(name)), repr(led.loans(name))]
    return held


@pytest.mark.parametrize("seed", range(5))
def test_a_reopened_db_file_holds_what_the_ledger_held(tmp_path, seed):
    path = tmp_path / "ledger.sqlite3"
    first = Ledger(path)
    _random_operations(first, seed)
    held = _held(first)
    first.close()
    second = Ledger(path)
    try:
        assert _held(second) == held
    finally:
        second.close()


def test_a_change_the_file_refuses_changes_nothing(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    led = Ledger(path)
    led.save_account(spec("bob", BTC=("1", "0", "10")), True)
    # Another writer takes the tranId the next repay gets: its record cannot be stored.
    with closing(sqlite3.connect(path)) as other, other:
        other.execute(
            "INSERT INTO repays VALUES (?, 'eve', 'BTC', '1', '0', '1', 'CONFIRMED', 0)",
            (FIRST_TRAN_ID,),
        )
    before = led.balances("bob")
    with pytest.raises(sqlite3.IntegrityError):
        led.repay("bob", "BTC", D("0.5"), 0)
    assert led.balances("bob") == before
    assert led.repays("bob") == []
    led.close()
    reopened = Ledger(path)
    try:
        assert reopened.balances("bob") == before
        assert reopened.repays("bob") == []
    finally:
        reopened.close()
