"""Independent clients, with their own signing code, repay (and borrow, read balances and loan
records, repay debts) against the sandbox.

The official SDK (binance-sdk-derivatives-trading-portfolio-margin + binance-common) sends
params in the query string; python-binance sends POST params as a form body, signature last.
Both are pointed at the sandbox's loopback URL; the autouse guard refuses anything else.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest
from binance_common.configuration import ConfigurationRestAPI
from binance_common.errors import BadRequestError
from binance_sdk_derivatives_trading_portfolio_margin.derivatives_trading_portfolio_margin import (
    DerivativesTradingPortfolioMargin,
)

from tests.sandbox.helpers import KEY_TYPES

with warnings.catch_warnings():  # python-binance imports deprecated websockets APIs
    warnings.simplefilter("ignore", DeprecationWarning)
    from binance.client import Client as PythonBinanceClient
    from binance.exceptions import BinanceAPIException


def _official_sdk(base_url: str, key):
    credentials = (
        {"api_secret": key.secret}
        if key.key_type == "hmac"
        else {"private_key": key.private_key_pem}
    )
    config = ConfigurationRestAPI(
        api_key=key.api_key, base_path=base_url, timeout=5000, retries=0, **credentials
    )
    return DerivativesTradingPortfolioMargin(config_rest_api=config).rest_api


def _python_binance(base_url: str, key) -> PythonBinanceClient:
    if key.key_type == "hmac":
        client = PythonBinanceClient(key.api_key, key.secret, ping=False)
    else:
        client = PythonBinanceClient(key.api_key, private_key=key.private_key_pem, ping=False)
    # Instance attribute: every papi_* call builds its URL from it.
    client.PAPI_URL = base_url + "/papi"
    return client


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_official_sdk_repays_and_reads_the_record(sandbox, keys, key_type):
    api = _official_sdk(sandbox.base_url, keys[key_type])
    response = api.margin_account_repay(asset="BTC", amount=0.01)
    tran_id = response.data().tran_id
    assert response.status == 200
    assert response.rate_limits  # parsed from X-MBX-USED-WEIGHT-1M
    (record,) = sandbox.ledger.repays(f"acct-{key_type}")
    assert (record.tran_id, record.amount) == (tran_id, Decimal("0.01"))

    listed = api.query_margin_repay_record(asset="BTC", tx_id=tran_id).data()
    assert listed.total == 1
    assert sandbox.counters.get("GET", "/papi/v1/margin/repayLoan") == 1


def test_official_sdk_float_amount_goes_out_in_exponent_form_and_is_refused(sandbox, keys):
    api = _official_sdk(sandbox.base_url, keys["hmac"])
    with pytest.raises(BadRequestError) as caught:
        api.margin_account_repay(asset="BTC", amount=0.00001)
    assert caught.value.status_code == -1100  # the SDK puts Binance's code here
    assert sandbox.ledger.repays("acct-hmac") == []


def test_official_sdk_sees_business_errors(sandbox, keys):
    api = _official_sdk(sandbox.base_url, keys["hmac"])
    with pytest.raises(BadRequestError) as caught:
        api.margin_account_repay(asset="BTC", amount=5)
    assert caught.value.status_code == -3015


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_python_binance_repays_with_a_form_body(sandbox, keys, key_type):
    client = _python_binance(sandbox.base_url, keys[key_type])
    result = client.papi_repay_loan(asset="BTC", amount="0.01")
    (record,) = sandbox.ledger.repays(f"acct-{key_type}")
    assert result == {"tranId": record.tran_id}
    sent = client.response.request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "signature=" in sent.body and "?" not in sent.url  # params travelled in the body
    assert sent.body.rsplit("&", 1)[1].startswith("signature=")

    listed = client.papi_get_margin_repay_loan(asset="BTC", txId=record.tran_id)
    assert listed["total"] == 1
    assert listed["rows"][0]["amount"] == "0.01000000"


def test_python_binance_sees_binance_errors(sandbox, keys):
    client = _python_binance(sandbox.base_url, keys["hmac"])
    with pytest.raises(BinanceAPIException) as caught:
        client.papi_repay_loan(asset="XRP", amount="1")
    assert (caught.value.status_code, caught.value.code) == (400, -3027)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_official_sdk_runs_the_loan_lifecycle(sandbox, keys, key_type):
    """Borrow, read the loan record, read the balance (one object, then the list), repay all of
    the debt: the SDK's own signing and models, every key type."""
    api = _official_sdk(sandbox.base_url, keys[key_type])
    account = f"acct-{key_type}"

    borrowed = api.margin_account_borrow(asset="ETH", amount=2.5)
    assert borrowed.status == 200
    tran_id = borrowed.data().tran_id
    (loan,) = sandbox.ledger.loans(account)
    assert (loan.tran_id, loan.principal) == (tran_id, Decimal("2.5"))

    record = api.query_margin_loan_record(asset="ETH", tx_id=tran_id).data()
    assert record.total == 1
    assert (record.rows[0].tx_id, record.rows[0].principal) == (tran_id, "2.50000000")
    assert record.rows[0].status == "CONFIRMED"

    one = api.account_balance(asset="ETH").data().actual_instance
    assert one.asset == "ETH" and one.cross_margin_borrowed == "2.50000000"
    assert one.cross_margin_free == "7.50000000" and one.update_time == loan.timestamp
    every = api.account_balance().data().actual_instance
    assert [row.asset for row in every] == ["BTC", "ETH", "USDT"]
    assert every[0].cross_margin_interest == "0.10000000"

    repaid = api.margin_account_repay_debt(asset="ETH", specify_repay_assets="USDT").data()
    assert (repaid.amount, repaid.asset, repaid.success) == ("2.50000000", "ETH", True)
    assert repaid.specify_repay_assets == ["USDT"]
    assert sandbox.ledger.balances(account)["ETH"].liability == 0
    (repay,) = sandbox.ledger.repays(account)
    assert repay.tran_id == tran_id + 1

    partial = api.margin_account_repay_debt(asset="BTC", amount="0.5").data()
    assert partial.amount == "0.50000000"
    assert sandbox.ledger.balances(account)["BTC"].liability == Decimal("0.6")


def test_official_sdk_sees_the_borrow_limit(sandbox, keys):
    api = _official_sdk(sandbox.base_url, keys["hmac"])
    sandbox.ledger.set_borrow_limit("acct-hmac", "BTC", Decimal(2))
    with pytest.raises(BadRequestError) as caught:
        api.margin_account_borrow(asset="BTC", amount=1)
    assert caught.value.status_code == -3006
    assert sandbox.ledger.loans("acct-hmac") == []
    with pytest.raises(BadRequestError) as caught:
        api.margin_account_repay_debt(asset="XRP")
    assert caught.value.status_code == -3027
