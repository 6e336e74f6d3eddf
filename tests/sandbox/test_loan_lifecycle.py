"""The loan lifecycle over HTTP: balance, borrow, loan records, repay-debt, with the repay
endpoints, one ledger behind them all; the admin API for interest and borrow limits."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.sandbox.helpers import KEY_TYPES, RECORDS, SignedClient, assert_error, now_ms

BALANCE = "/papi/v1/balance"
BORROW = "/papi/v1/marginLoan"
LOANS = "/papi/v1/margin/marginLoan"
REPAY_DEBT = "/papi/v1/margin/repay-debt"
WEIGHT = "x-mbx-used-weight-1m"
ZERO = "0.00000000"


def _signed(client: SignedClient, method: str, path: str, **params: str | int) -> httpx.Response:
    pairs = [(name, str(value)) for name, value in params.items()]
    if "timestamp" not in params:
        pairs.append(("timestamp", str(now_ms())))
    return client.send(method, path, query=pairs)


def balance(client: SignedClient, **params: str | int) -> httpx.Response:
    return _signed(client, "GET", BALANCE, **params)


def borrow(
    client: SignedClient, asset: str = "BTC", amount: str = "1", **kw: str
) -> httpx.Response:
    return _signed(client, "POST", BORROW, asset=asset, amount=amount, **kw)


def loans(client: SignedClient, **params: str | int) -> httpx.Response:
    return _signed(client, "GET", LOANS, **params)


def repay_debt(client: SignedClient, asset: str = "BTC", **params: str) -> httpx.Response:
    return _signed(client, "POST", REPAY_DEBT, asset=asset, **params)


def test_balance_with_asset_is_one_object_from_the_ledger(sandbox, client):
    response = balance(client, asset="BTC")
    assert response.status_code == 200, response.text
    assert response.headers[WEIGHT] == "20"
    assert response.json() == {
        "asset": "BTC",
        "totalWalletBalance": "10.00000000",
        "crossMarginBorrowed": "1.00000000",
        "crossMarginFree": "10.00000000",
        "crossMarginInterest": "0.10000000",
        "crossMarginLocked": ZERO,
        "umWalletBalance": ZERO,
        "umUnrealizedPNL": ZERO,
        "cmWalletBalance": ZERO,
        "cmUnrealizedPNL": ZERO,
        "updateTime": 0,
        "negativeBalance": ZERO,
    }


def test_balance_without_asset_lists_every_asset_by_name(sandbox, client):
    rows = balance(client).json()
    assert [row["asset"] for row in rows] == ["BTC", "ETH", "USDT"]
    assert all(row["crossMarginAsset"] == row["crossMarginFree"] for row in rows)
    usdt = rows[2]
    assert (usdt["crossMarginBorrowed"], usdt["crossMarginFree"]) == ("100.00000000", "50.00000000")


def test_balance_of_an_asset_not_held_is_zeros(sandbox, client):
    row = balance(client, asset="XRP").json()
    assert row["asset"] == "XRP" and row["crossMarginBorrowed"] == ZERO and row["updateTime"] == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [({"asset": "btc"}, -1100), ({"asset": ""}, -1100), ({"symbol": "X"}, -1104)],
)
def test_balance_rejects_bad_parameters(sandbox, client, params, code):
    assert_error(balance(client, **params), 400, code)


def test_borrow_then_balance_loan_record_repay_and_repay_record(sandbox, client):
    sandbox.clock.pin(now_ms())
    response = borrow(client, "BTC", "2.5")
    assert response.status_code == 200, response.text
    assert response.headers[WEIGHT] == "100"
    tran_id = response.json()["tranId"]
    row = balance(client, asset="BTC").json()
    assert (row["crossMarginBorrowed"], row["crossMarginFree"]) == ("3.50000000", "12.50000000")
    assert row["updateTime"] == sandbox.clock.now_ms()

    page = loans(client, asset="BTC", txId=tran_id)
    assert page.headers[WEIGHT] == "130"  # used this minute: borrow 100, balance 20, this 10
    assert page.json() == {
        "rows": [
            {
                "asset": "BTC",
                "principal": "2.50000000",
                "status": "CONFIRMED",
                "timestamp": sandbox.clock.now_ms(),
                "txId": tran_id,
            }
        ],
        "total": 1,
    }
    repaid = client.repay("BTC", "2.5")
    assert repaid.json()["tranId"] == tran_id + 1  # one sequence for loans and repays
    records = client.records(asset="BTC", txId=tran_id + 1).json()
    assert records["rows"][0]["interest"] == "0.10000000"
    assert balance(client, asset="BTC").json()["crossMarginBorrowed"] == "1.10000000"
    # A loan's tranId is not a repay record, nor the other way round.
    assert client.records(asset="BTC", txId=tran_id).json() == {"rows": [], "total": 0}
    assert loans(client, asset="BTC", txId=tran_id + 1).json() == {"rows": [], "total": 0}


def test_loan_records_follow_the_repay_record_rules(sandbox, client):
    sandbox.clock.pin(1_700_000_000_000)
    for amount in ("1", "2", "3"):
        borrow(client, "ETH", amount, timestamp=str(1_700_000_000_000))
        sandbox.clock.shift(1000)
    now = sandbox.clock.now_ms()
    page = _signed(client, "GET", LOANS, asset="ETH", startTime=now - 10_000, size=2, timestamp=now)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] == 3 and [r["principal"] for r in body["rows"]] == [
        "3.00000000",
        "2.00000000",
    ]
    assert_error(loans(client, asset="ETH", timestamp=now), 400, -1102)  # no txId, no startTime
    month = 31 * 86_400_000
    assert_error(loans(client, asset="ETH", startTime=0, endTime=month, timestamp=now), 400, -1127)
    assert_error(loans(client, asset="ETH", startTime=now, size=101, timestamp=now), 400, -1130)


def test_borrow_over_the_limit_is_3006_and_changes_nothing(sandbox, client, http):
    limit = http.put("/sandbox-admin/accounts/acct-hmac/borrow-limits/BTC", json={"limit": "3"})
    assert limit.json() == {"account": "acct-hmac", "asset": "BTC", "limit": "3.00000000"}
    assert_error(
        borrow(client, "BTC", "1.90000001"),
        400,
        -3006,
        "Your borrow amount has exceed maximum borrow amount.",
    )
    assert sandbox.ledger.loans("acct-hmac") == []
    assert borrow(client, "BTC", "1.9").status_code == 200  # debt 1 + 0.1 + 1.9 = 3
    assert_error(borrow(client, "BTC", "0.00000001"), 400, -3006)
    listed = http.get("/sandbox-admin/accounts/acct-hmac/borrow-limits").json()
    assert listed == {"account": "acct-hmac", "limits": {"BTC": "3.00000000"}}
    http.put("/sandbox-admin/accounts/acct-hmac/borrow-limits/BTC", json={"limit": None})
    assert borrow(client, "BTC", "100").status_code == 200


@pytest.mark.parametrize(
    ("amount", "code"), [("0", -1102), ("1e-05", -1100), ("0.000000001", -1111), ("", -1102)]
)
def test_borrow_amount_rules_are_the_repays(sandbox, client, amount, code):
    assert_error(borrow(client, "BTC", amount), 400, code)
    assert sandbox.ledger.loans("acct-hmac") == []


def test_borrow_of_a_new_asset_and_in_a_form_body(sandbox, client):
    body = [("asset", "SOL"), ("amount", "4"), ("timestamp", str(now_ms()))]
    response = client.send("POST", BORROW, body=body)
    assert response.status_code == 200, response.text
    assert sandbox.ledger.balances("acct-hmac")["SOL"].free == 4


def test_repay_debt_without_amount_repays_all(sandbox, client):
    sandbox.clock.pin(now_ms())
    response = repay_debt(client, "BTC")
    assert response.status_code == 200, response.text
    assert response.headers[WEIGHT] == "3000"
    assert response.json() == {
        "amount": "1.10000000",
        "asset": "BTC",
        "specifyRepayAssets": [],
        "updateTime": sandbox.clock.now_ms(),
        "success": True,
    }
    row = balance(client, asset="BTC").json()
    assert (row["crossMarginBorrowed"], row["crossMarginInterest"]) == (ZERO, ZERO)
    assert row["crossMarginFree"] == "8.90000000"
    (record,) = sandbox.ledger.repays("acct-hmac")
    assert (record.amount, record.interest, record.timestamp) == (
        Decimal("1.1"),
        Decimal("0.1"),
        sandbox.clock.now_ms(),
    )
    # Its record is found as the spec's link finds it: startTime = updateTime.
    found = client.records(asset="BTC", startTime=response.json()["updateTime"]).json()
    assert found["total"] == 1
    assert_error(repay_debt(client, "BTC"), 400, -3015)  # nothing owed any more


def test_repay_debt_with_amount_and_repay_assets(sandbox, client):
    response = repay_debt(client, "BTC", amount="0.5", specifyRepayAssets="USDT,BNB")
    assert response.status_code == 200, response.text
    assert response.json()["specifyRepayAssets"] == ["USDT", "BNB"]
    assert response.json()["amount"] == "0.50000000"
    assert sandbox.ledger.balances("acct-hmac")["BTC"].liability == Decimal("0.6")


@pytest.mark.parametrize(
    ("asset", "params", "code"),
    [
        ("XRP", {}, -3027),
        ("ETH", {}, -3015),
        ("BTC", {"amount": "1.10000001"}, -3015),
        ("USDT", {}, -3041),  # owes 100, holds 50: no other asset is converted
        ("USDT", {"specifyRepayAssets": "BTC"}, -3041),
        ("BTC", {"specifyRepayAssets": "usdt"}, -1100),
        ("BTC", {"specifyRepayAssets": "USDT,"}, -1100),
        ("BTC", {"amount": "0"}, -1102),
        ("BTC", {"amount": ""}, -1100),
    ],
)
def test_repay_debt_refusals(sandbox, client, asset, params, code):
    assert_error(repay_debt(client, asset, **params), 400, code)
    assert sandbox.ledger.repays("acct-hmac") == []


def test_admin_interest_shows_in_balance_and_is_repaid_first(sandbox, client, http):
    added = http.post(
        "/sandbox-admin/interest", json={"account": "acct-hmac", "asset": "USDT", "interest": "2"}
    )
    assert added.json() == {
        "account": "acct-hmac",
        "asset": "USDT",
        "principal": "100.00000000",
        "interest": "2.00000000",
        "free": "50.00000000",
    }
    assert balance(client, asset="USDT").json()["crossMarginInterest"] == "2.00000000"
    client.repay("USDT", "3")
    assert balance(client, asset="USDT").json()["crossMarginBorrowed"] == "99.00000000"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"account": "nobody", "asset": "BTC", "interest": "1"}, 404),
        ({"account": "acct-hmac", "asset": "btc", "interest": "1"}, 400),
        ({"account": "acct-hmac", "asset": "BTC", "interest": "-1"}, 400),
        ({"account": "acct-hmac", "asset": "BTC"}, 400),
        ({"account": "acct-hmac", "asset": "BTC", "interest": "1", "x": 1}, 400),
        ({"account": "acct-hmac", "asset": "BTC", "interest": True}, 400),
    ],
)
def test_admin_interest_checks_its_input(sandbox, http, body, status):
    response = http.post("/sandbox-admin/interest", json=body)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert sandbox.ledger.balances("acct-hmac")["BTC"].interest == Decimal("0.1")


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("accounts/nobody/borrow-limits/BTC", {"limit": "1"}, 404),
        ("accounts/acct-hmac/borrow-limits/btc", {"limit": "1"}, 400),
        ("accounts/acct-hmac/borrow-limits/BTC", {}, 400),
        ("accounts/acct-hmac/borrow-limits/BTC", {"limit": "1e5"}, 400),
    ],
)
def test_admin_borrow_limits_check_their_input(sandbox, http, path, body, status):
    response = http.put("/sandbox-admin/" + path, json=body)
    assert response.status_code == status, response.text
    assert sandbox.ledger.borrow_limits("acct-hmac") == {}


def test_admin_lists_loans_oldest_first(sandbox, client, http):
    first = borrow(client, "BTC", "1").json()["tranId"]
    borrow(client, "ETH", "2")
    listed = http.get("/sandbox-admin/accounts/acct-hmac/loans").json()["loans"]
    assert [(row["tranId"], row["asset"]) for row in listed] == [
        (first, "BTC"),
        (first + 1, "ETH"),
    ]
    assert http.get("/sandbox-admin/accounts/nobody/loans").status_code == 404


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_every_key_type_runs_the_lifecycle(sandbox, clients, key_type):
    client = clients[key_type]
    assert borrow(client, "ETH", "1").status_code == 200
    assert repay_debt(client, "ETH").json()["amount"] == "1.00000000"
    assert balance(client, asset="ETH").json()["crossMarginFree"] == "5.00000000"


@pytest.mark.parametrize("path", [BALANCE, BORROW, LOANS, REPAY_DEBT])
def test_new_endpoints_are_signed(sandbox, client, path):
    method = "POST" if path in (BORROW, REPAY_DEBT) else "GET"
    params = [("asset", "BTC"), ("amount", "1"), ("timestamp", str(now_ms()))]
    if path == LOANS:
        params[1] = ("txId", "1")
    if path == BALANCE:
        del params[1]
    assert_error(client.send(method, path, query=params, signature="00"), 400, -1022)
    assert_error(client.send(method, path, query=params, send_api_key=False), 401, -2014)
    assert_error(client.send(method, path, query=params, sign_in="none"), 400, -1102)
    stale = [(k, str(now_ms() - 10_000) if k == "timestamp" else v) for k, v in params]
    assert_error(client.send(method, path, query=stale), 400, -1021)
    assert sandbox.ledger.loans("acct-hmac") == [] and sandbox.ledger.repays("acct-hmac") == []


def test_records_path_still_serves_repays_only(sandbox, client):
    borrow(client, "BTC", "1")
    assert client.send(
        "GET",
        RECORDS,
        query=[
            ("asset", "BTC"),
            ("startTime", str(now_ms() - 60_000)),
            ("timestamp", str(now_ms())),
        ],
    ).json() == {"rows": [], "total": 0}


def test_faults_apply_to_the_new_paths(sandbox, client):
    sandbox.faults.inject("unavailable", path=BORROW)
    assert_error(borrow(client), 503, -1000, "Service Unavailable.")
    assert sandbox.ledger.loans("acct-hmac") == []
    sandbox.faults.inject("unknown_after", path=REPAY_DEBT)
    assert_error(repay_debt(client, "BTC"), 503, -1000)
    assert sandbox.ledger.balances("acct-hmac")["BTC"].liability == 0  # it ran all the same
    sandbox.faults.inject("drop_after", path=LOANS)
    with pytest.raises(httpx.RemoteProtocolError):
        loans(client, asset="BTC", txId=1)
    sandbox.faults.inject("overloaded", path=None)
    assert_error(balance(client), 503, -1008)
    assert balance(client).status_code == 200


def test_repay_debt_weighs_3000_of_the_6000_a_minute(keys):
    from papi_sandbox.testing import running_sandbox
    from tests.sandbox.helpers import standard_accounts

    with (
        running_sandbox(accounts=standard_accounts(keys)) as handle,
        httpx.Client(base_url=handle.base_url, trust_env=False) as http,
    ):
        client = SignedClient(http, keys["hmac"])
        assert repay_debt(client, "USDT", amount="1").headers[WEIGHT] == "3000"
        assert repay_debt(client, "USDT", amount="1").headers[WEIGHT] == "6000"
        limited = repay_debt(client, "USDT", amount="1")
        assert_error(limited, 429, -1003)
        assert len(handle.ledger.repays("acct-hmac")) == 2
        assert_error(borrow(client, "USDT", "1"), 429, -1003)
        assert handle.ledger.loans("acct-hmac") == []
