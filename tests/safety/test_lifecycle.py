"""The loan lifecycle on the safe flow: what is owed, borrowing, repaying all of it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from auth_plugin import (
    BusinessRejection,
    FreeBalanceShort,
    OutcomeUnknown,
    RetryPolicy,
    Verdict,
)
from tests.safety.helpers import ACCOUNT, REPAY, repay_posts

BORROW = "/papi/v1/marginLoan"
LOANS = "/papi/v1/margin/marginLoan"


def test_debt_is_the_ledger_exactly(sandbox, make_client):
    client = make_client()
    debts = client.debt()
    btc = debts["BTC"]
    assert (btc.principal, btc.interest, btc.total, btc.free) == (
        Decimal("100"),
        Decimal("0.5"),
        Decimal("100.5"),
        Decimal("200"),
    )
    assert set(debts) == set(sandbox.ledger.balances(ACCOUNT))
    assert client.debt("USDT") == {"USDT": debts["USDT"]}


def test_a_borrow_raises_principal_and_free_and_leaves_a_loan_record(sandbox, make_client):
    client = make_client()
    done = client.borrow("BTC", "1.25")
    (loan,) = sandbox.ledger.loans(ACCOUNT)
    assert done.tran_id == loan.tran_id and done.amount == "1.25"
    after = client.debt("BTC")["BTC"]
    assert (after.principal, after.free) == (Decimal("101.25"), Decimal("201.25"))


def test_a_borrow_whose_answer_is_lost_reconciles_through_the_loan_records(sandbox, make_client):
    client = make_client()
    sandbox.faults.inject("unknown_after", path=BORROW)
    with pytest.raises(OutcomeUnknown, match="loan records") as caught:
        client.borrow("BTC", "2")
    assert caught.value.kind == "borrow"
    assert sandbox.counters.get("POST", BORROW) == 1  # never resent
    sandbox.clock.shift(7_000)
    result = client.reconcile_outcome(caught.value)
    (loan,) = sandbox.ledger.loans(ACCOUNT)
    assert (result.verdict, result.tran_id) == (Verdict.EXECUTED, loan.tran_id)
    assert sandbox.counters.get("GET", LOANS) == 1


def test_repay_all_repays_principal_and_interest_once_and_leaves_nothing(sandbox, make_client):
    client = make_client()
    result = client.repay_all("BTC")
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert result.repaid is not None and result.repaid.tran_id == record.tran_id
    assert record.amount == Decimal("100.5")
    assert (result.left, result.reason) == (Decimal(0), "")
    assert result.after.free == Decimal("99.5")
    assert repay_posts(sandbox) == 1


def test_interest_accrued_between_the_read_and_the_repay_is_what_is_left(sandbox, make_client):
    def accrue(request):
        if request.url.path == REPAY:
            sandbox.ledger.add_interest(ACCOUNT, "BTC", Decimal("0.00000123"))

    client = make_client(httpx_args={"event_hooks": {"request": [accrue]}})
    result = client.repay_all("BTC")
    assert result.left == Decimal("0.00000123")
    assert result.reason == "interest of 0.00000123 accrued between the read and the repay"
    assert result.after.free == Decimal("99.5")  # no borrow in between: free only paid
    assert repay_posts(sandbox) == 1


def test_a_short_free_balance_refuses_before_sending_or_caps(sandbox, make_client):
    client = make_client()  # USDT: 100 owed, 50 free
    with pytest.raises(FreeBalanceShort, match="nothing sent"):
        client.repay_all("USDT")
    assert repay_posts(sandbox) == 0
    capped = client.repay_all("USDT", cap=True)
    assert capped.capped and capped.repaid is not None and capped.repaid.amount == "50"
    assert capped.left == Decimal(50)
    assert "free balance covered only 50" in capped.reason


def test_nothing_owed_repays_nothing(sandbox, make_client):
    client = make_client()
    result = client.repay_all("ETH")
    assert result.repaid is None and result.left == 0
    assert repay_posts(sandbox) == 0


def test_an_unknown_repay_outcome_in_repay_all_is_raised_never_repeated(sandbox, make_client):
    client = make_client(retry=RetryPolicy(max_retries=3))
    sandbox.faults.inject("drop_after")
    with pytest.raises(OutcomeUnknown):
        client.repay_all("BTC")
    assert repay_posts(sandbox) == 1
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1


def test_business_rejections_of_a_borrow_are_typed(sandbox, make_client):
    sandbox.ledger.set_borrow_limit(ACCOUNT, "BTC", Decimal("100.5"))
    client = make_client()
    with pytest.raises(BusinessRejection, match="-3006"):
        client.borrow("BTC", "1")
    assert sandbox.ledger.loans(ACCOUNT) == []


@pytest.mark.anyio
async def test_async_lifecycle(sandbox, make_async_client):
    client = make_async_client()
    await client.borrow("BTC", "1")
    assert (await client.debt("BTC"))["BTC"].principal == Decimal(101)
    result = await client.repay_all("BTC")
    assert result.left == 0 and (await client.debt("BTC"))["BTC"].total == 0
