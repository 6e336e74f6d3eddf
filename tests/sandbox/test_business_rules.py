"""The ledger: interest first, then principal; -3027, -3015, -3041; tranIds."""

from __future__ import annotations

from decimal import Decimal

from papi_sandbox.ledger_records import Balance
from tests.sandbox.helpers import assert_error

D = Decimal


def test_tran_ids_go_up_one_by_one(sandbox, clients):
    ids = [clients[t].repay(amount="0.001").json()["tranId"] for t in ("hmac", "rsa", "hmac")]
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2]


def test_repay_pays_interest_first_then_principal(sandbox, client):
    response = client.repay("BTC", "0.15")
    assert response.status_code == 200
    assert sandbox.ledger.balances("acct-hmac")["BTC"] == Balance(
        principal=D("0.95"), interest=D("0"), free=D("9.85")
    )
    (record,) = sandbox.ledger.repays("acct-hmac")
    assert (record.amount, record.interest, record.principal) == (D("0.15"), D("0.1"), D("0.05"))
    assert record.status == "CONFIRMED"
    assert record.tran_id == response.json()["tranId"]


def test_repay_below_the_interest_leaves_principal_alone(sandbox, client):
    client.repay("BTC", "0.04")
    assert sandbox.ledger.balances("acct-hmac")["BTC"] == Balance(D("1"), D("0.06"), D("9.96"))


def test_repaying_everything_leaves_zero_and_then_nothing_is_owed(sandbox, client):
    assert client.repay("BTC", "1.1").status_code == 200
    assert sandbox.ledger.balances("acct-hmac")["BTC"] == Balance(D(0), D(0), D("8.9"))
    response = client.repay("BTC", "0.00000001")
    assert_error(response, 400, -3015, "Repay amount exceeds borrow amount.")


def test_amount_above_principal_plus_interest_is_3015(sandbox, client):
    assert_error(client.repay("BTC", "1.10000001"), 400, -3015)


def test_asset_with_nothing_owed_is_3015(sandbox, client):
    assert_error(client.repay("ETH", "1"), 400, -3015)


def test_asset_the_account_cannot_borrow_is_3027(sandbox, client):
    assert_error(client.repay("XRP", "1"), 400, -3027, "Not a valid margin asset.")


def test_free_balance_short_is_3041(sandbox, client):
    # USDT: 100 owed, 50 free.
    assert_error(client.repay("USDT", "50.00000001"), 400, -3041, "Balance is not enough")
    assert client.repay("USDT", "50").status_code == 200


def test_exceeding_the_liability_is_reported_before_a_short_balance(sandbox, client):
    assert_error(client.repay("USDT", "150"), 400, -3015)


def test_rejected_repays_change_nothing_and_use_no_tran_id(sandbox, client):
    last_id = client.repay("BTC", "0.01").json()["tranId"]
    before = sandbox.ledger.balances("acct-hmac")
    for asset, amount in [("XRP", "1"), ("BTC", "5"), ("USDT", "60")]:
        assert client.repay(asset, amount).status_code == 400
    assert sandbox.ledger.balances("acct-hmac") == before
    assert len(sandbox.ledger.repays("acct-hmac")) == 1
    assert client.repay("BTC", "0.01").json()["tranId"] == last_id + 1


def test_accounts_are_separate(sandbox, clients):
    clients["rsa"].repay("BTC", "0.5")
    assert sandbox.ledger.balances("acct-hmac")["BTC"].liability == D("1.1")
    assert sandbox.ledger.balances("acct-rsa")["BTC"].liability == D("0.6")
