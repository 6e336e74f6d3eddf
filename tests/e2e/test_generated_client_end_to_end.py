"""End to end: the generated client + signer against a real sandbox, for every key type, sync
and async; each documented error arrives as the right typed error."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from auth_plugin import (
    AsyncRepayClient,
    AuthError,
    BinanceAuth,
    BusinessRejection,
    Clock,
    Credentials,
    HmacKey,
    InvalidRequest,
    RepayClient,
    RetryPolicy,
    TimestampRejected,
    build_client,
)
from auth_plugin.safe.classify import error_from_response
from auth_plugin.safe.reconcile import LoanRequest
from papi_repay_client.api.margin import query_repay_records, repay_loan
from papi_repay_client.models import BinanceError, RepayLoanResponse, RepayRecordPage
from papi_sandbox.accounts import AssetSeed
from papi_sandbox.signatures import KeyType
from papi_sandbox.testing import GeneratedKey, ServedSandbox, generate_key, running_sandbox
from tests.safety.helpers import credentials_for

KEY_TYPES: tuple[KeyType, ...] = ("hmac", "rsa", "ed25519")
ASSETS = {
    "BTC": AssetSeed(principal=Decimal("2"), interest=Decimal("0.25"), free=Decimal("10")),
    "USDT": AssetSeed(principal=Decimal("100"), free=Decimal("5")),
}
REPAY = "/papi/v1/repayLoan"
ABOUT = LoanRequest("BTC", "0.01", 1_700_000_000_000, 5000)  # names the repay in messages


@pytest.fixture(scope="module")
def keys() -> dict[str, GeneratedKey]:
    return {key_type: generate_key(key_type) for key_type in KEY_TYPES}


@pytest.fixture(scope="module")
def shared(keys: dict[str, GeneratedKey]) -> Iterator[ServedSandbox]:
    accounts = tuple(key.account(key_type, ASSETS) for key_type, key in keys.items())
    with running_sandbox(accounts=accounts, weight_limit=10**9) as handle:
        yield handle


@pytest.fixture
def sandbox(shared: ServedSandbox) -> ServedSandbox:
    shared.reset()
    return shared


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def credentials(keys: dict[str, GeneratedKey], key_type: str) -> Credentials:
    return credentials_for(keys[key_type])


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_sync_repay_moves_the_ledger_and_its_record_reads_back(
    sandbox: ServedSandbox, keys: dict[str, GeneratedKey], key_type: str
) -> None:
    with build_client(sandbox.base_url, credentials(keys, key_type)) as client:
        response = repay_loan.sync_detailed(client=client, asset="BTC", amount="0.75")
        assert response.status_code == 200
        assert isinstance(response.parsed, RepayLoanResponse)
        assert int(response.headers["x-mbx-used-weight-1m"]) >= 100
        page = query_repay_records.sync(client=client, asset="BTC", tx_id=response.parsed.tran_id)
    assert isinstance(page, RepayRecordPage) and page.total == 1
    record = page.rows[0]
    assert (record.amount, record.interest, record.principal) == (
        "0.75000000",
        "0.25000000",
        "0.50000000",
    )
    btc = sandbox.ledger.balances(key_type)["BTC"]
    assert (btc.principal, btc.interest, btc.free) == (Decimal("1.5"), 0, Decimal("9.25"))


@pytest.mark.anyio
@pytest.mark.parametrize("key_type", KEY_TYPES)
async def test_async_repay_moves_the_ledger(
    sandbox: ServedSandbox, keys: dict[str, GeneratedKey], key_type: str
) -> None:
    client = build_client(sandbox.base_url, credentials(keys, key_type))
    async with client:
        parsed = await repay_loan.asyncio(client=client, asset="USDT", amount="0.00001")
    assert isinstance(parsed, RepayLoanResponse)
    assert sandbox.ledger.balances(key_type)["USDT"].principal == Decimal("99.99999")
    assert [r.tran_id for r in sandbox.ledger.repays(key_type)] == [parsed.tran_id]


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_safe_layer_repays_and_raises_business_rejections(
    sandbox: ServedSandbox, keys: dict[str, GeneratedKey], key_type: str
) -> None:
    with RepayClient(sandbox.base_url, credentials(keys, key_type)) as papi:
        result = papi.repay("BTC", Decimal("0.1"))
        assert result.used_weight is not None and result.used_weight >= 100
        for asset, amount, code in (("BTC", "3", -3015), ("USDT", "6", -3041), ("ETH", "1", -3027)):
            with pytest.raises(BusinessRejection) as raised:
                papi.repay(asset, amount)
            assert (raised.value.status, raised.value.code) == (400, code)
    assert [r.tran_id for r in sandbox.ledger.repays(key_type)] == [result.tran_id]


@pytest.mark.anyio
@pytest.mark.parametrize("key_type", KEY_TYPES)
async def test_async_safe_layer_raises_the_same_typed_errors(
    sandbox: ServedSandbox, keys: dict[str, GeneratedKey], key_type: str
) -> None:
    async with AsyncRepayClient(sandbox.base_url, credentials(keys, key_type)) as papi:
        await papi.repay("BTC", "0.1")
        with pytest.raises(BusinessRejection) as raised:
            await papi.repay("BTC", "5")
    assert raised.value.code == -3015


def test_wrong_secret_is_an_auth_error_and_unknown_key_too(
    sandbox: ServedSandbox, keys: dict[str, GeneratedKey]
) -> None:
    wrong_secret = Credentials(keys["hmac"].api_key, HmacKey("not-the-secret"))
    with RepayClient(sandbox.base_url, wrong_secret) as papi, pytest.raises(AuthError) as bad:
        papi.repay("BTC", "0.1")
    assert (bad.value.status, bad.value.code) == (400, -1022)
    unknown = Credentials("nobody-has-this-key", HmacKey("whatever"))
    with RepayClient(sandbox.base_url, unknown) as papi, pytest.raises(AuthError) as bad:
        papi.repay("BTC", "0.1")
    assert (bad.value.status, bad.value.code) == (401, -2015)
    assert sandbox.ledger.repays("hmac") == []


def test_stale_clock_without_retries_is_a_timestamp_rejection(
    sandbox: ServedSandbox, keys: dict[str, GeneratedKey]
) -> None:
    behind = Clock(offset_ms=-10_000)
    with (
        RepayClient(
            sandbox.base_url, credentials(keys, "ed25519"), clock=behind, retry=RetryPolicy.none()
        ) as papi,
        pytest.raises(TimestampRejected) as raised,
    ):
        papi.repay("BTC", "0.1")
    assert raised.value.code == -1021


@pytest.mark.parametrize(
    ("amount", "recv_window", "code"),
    [("1e-05", None, -1100), ("0.123456789", None, -1111), ("0", None, -1102), ("1", 60001, -1131)],
)
def test_malformed_requests_the_safe_layer_refuses_locally_get_11xx_from_the_server(
    sandbox: ServedSandbox,
    keys: dict[str, GeneratedKey],
    amount: str,
    recv_window: int | None,
    code: int,
) -> None:
    with build_client(sandbox.base_url, credentials(keys, "rsa")) as client:
        response = repay_loan.sync_detailed(
            client=client,
            asset="BTC",
            amount=amount,
            **({} if recv_window is None else {"recv_window": recv_window}),
        )
    assert isinstance(response.parsed, BinanceError) and response.parsed.code == code
    error = error_from_response(response.status_code, response.headers, response.content, ABOUT)
    assert isinstance(error, InvalidRequest) and error.code == code


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ([("asset", "BTC"), ("amount", "1"), ("color", "red")], -1104),
        ([("asset", "BTC"), ("asset", "BTC"), ("amount", "1")], -1101),
    ],
)
def test_unknown_and_duplicate_parameters_are_invalid_requests(
    sandbox: ServedSandbox,
    keys: dict[str, GeneratedKey],
    params: list[tuple[str, str]],
    code: int,
) -> None:
    key = keys["hmac"]
    assert key.secret is not None
    auth = BinanceAuth(key.api_key, HmacKey(key.secret))
    with httpx.Client(base_url=sandbox.base_url, auth=auth) as http:
        response = http.post(REPAY, params=params)
    error = error_from_response(response.status_code, response.headers, response.content, ABOUT)
    assert isinstance(error, InvalidRequest) and (error.status, error.code) == (400, code)


def test_missing_api_key_is_a_401_auth_error(sandbox: ServedSandbox) -> None:
    response = httpx.post(sandbox.base_url + REPAY, params={"asset": "BTC", "amount": "1"})
    error = error_from_response(response.status_code, response.headers, response.content, ABOUT)
    assert isinstance(error, AuthError) and (error.status, error.code) == (401, -2014)
