"""The official Binance SDK as referee: same params, same timestamp, same key -> same request.

The SDK (`binance_common.utils.send_request`) is run for real on a `requests` session whose
adapter records the prepared request instead of sending it, with its timestamp pinned. Its
signers are independent of ours (pycryptodome for RSA/Ed25519, `hmac` for HMAC), and RSA PKCS#1
v1.5 and Ed25519 are deterministic, so the two query strings must be identical byte for byte.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import httpx
import pytest
import requests
import requests.adapters
from binance_common import utils as sdk_utils
from binance_common.configuration import ConfigurationRestAPI
from binance_common.signature import Signers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth_plugin import BinanceAuth, Clock, HmacKey, canonical_amount, load_private_key

API_KEY = "crossCHECKkey000000000000000000000000000000000000000000000000000"
HMAC_SECRET = "crossCHECKsecret0000000000000000000000000000000000000000000000000"
TIMESTAMP = 1_700_000_000_123
PATH = "/papi/v1/repayLoan"
BASE_URL = "http://127.0.0.1:9"  # never contacted: both sides use recording transports

CROSS_CHECK_SETTINGS = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Assets: real-looking codes, and arbitrary text including non-ASCII, spaces and '&=+%'
# (the signer must sign whatever encoding goes on the wire, not only valid assets).
assets = st.one_of(
    st.from_regex(r"[A-Z0-9]{1,20}", fullmatch=True),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12),
)
amounts = st.one_of(
    st.decimals(
        min_value=Decimal("0.00000001"),
        max_value=Decimal("1000000000"),
        places=8,
        allow_nan=False,
        allow_infinity=False,
    )
    .filter(lambda d: d > 0)
    .map(canonical_amount),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=10),
)
recv_windows = st.one_of(st.none(), st.integers(min_value=1, max_value=60_000))
default_recv_windows = st.one_of(st.none(), st.just(5000))


class _RecordingAdapter(requests.adapters.BaseAdapter):
    """Keeps the prepared request and answers 200 {"tranId": 1} without any network."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"tranId": 1}'
        response.headers["Content-Type"] = "application/json"
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        pass


def sdk_query(config: ConfigurationRestAPI, signer: Any, payload: dict[str, Any]) -> bytes:
    """The query string the official SDK sends for `payload` at TIMESTAMP."""
    adapter = _RecordingAdapter()
    session = requests.Session()
    session.mount("http://", adapter)
    with mock.patch.object(sdk_utils, "get_timestamp", return_value=TIMESTAMP):
        sdk_utils.send_request(
            session,
            config,
            "POST",
            PATH,
            payload=payload,
            is_signed=True,
            signer=signer,
        )
    (sent,) = adapter.sent
    assert sent.url is not None
    return sent.url.partition("?")[2].encode("ascii")


def our_query(auth: BinanceAuth, params: dict[str, Any]) -> bytes:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"tranId": 1})

    with httpx.Client(
        base_url=BASE_URL, transport=httpx.MockTransport(handler), auth=auth
    ) as client:
        client.post(PATH, params=params)
    return sent[0].url.query


def _params(asset: str, amount: str, recv_window: int | None) -> dict[str, Any]:
    # The generated client's order: asset, amount, recvWindow (omitted when unset).
    params: dict[str, Any] = {"asset": asset, "amount": amount}
    if recv_window is not None:
        params["recvWindow"] = recv_window
    return params


def _sdk_payload(
    asset: str, amount: str, recv_window: int | None, default_recv_window: int | None
) -> dict[str, Any]:
    # What the SDK's margin_account_repay builds; our default recvWindow is what a caller of
    # the SDK would have had to pass explicitly.
    effective = recv_window if recv_window is not None else default_recv_window
    return {"asset": asset, "amount": amount, "recv_window": effective}


def _check(
    config: ConfigurationRestAPI,
    signer: Any,
    auth: BinanceAuth,
    asset: str,
    amount: str,
    recv_window: int | None,
    default_recv_window: int | None,
) -> None:
    ours = our_query(auth, _params(asset, amount, recv_window))
    theirs = sdk_query(
        config, signer, _sdk_payload(asset, amount, recv_window, default_recv_window)
    )
    assert ours == theirs
    assert ours.count(b"&signature=") == 1


@pytest.fixture(scope="module")
def sdk_rsa(rsa_pem: str) -> tuple[ConfigurationRestAPI, Any]:
    return _sdk_config(private_key=rsa_pem), Signers.get_signer(rsa_pem)


@pytest.fixture(scope="module")
def sdk_ed25519(ed25519_pem: str) -> tuple[ConfigurationRestAPI, Any]:
    config = _sdk_config(private_key=ed25519_pem)
    return config, Signers.get_signer(ed25519_pem)


@CROSS_CHECK_SETTINGS
@given(assets, amounts, recv_windows, default_recv_windows)
def test_hmac_requests_match_the_official_sdk(asset, amount, recv_window, default_rw) -> None:
    auth = BinanceAuth(API_KEY, HmacKey(HMAC_SECRET), clock=_pinned(), recv_window=default_rw)
    config = _sdk_config(api_secret=HMAC_SECRET)
    _check(config, None, auth, asset, amount, recv_window, default_rw)


@CROSS_CHECK_SETTINGS
@given(assets, amounts, recv_windows, default_recv_windows)
def test_rsa_requests_match_the_official_sdk(
    sdk_rsa, rsa_pem, asset, amount, recv_window, default_rw
) -> None:
    config, signer = sdk_rsa
    auth = BinanceAuth(API_KEY, load_private_key(rsa_pem), clock=_pinned(), recv_window=default_rw)
    _check(config, signer, auth, asset, amount, recv_window, default_rw)


@CROSS_CHECK_SETTINGS
@given(assets, amounts, recv_windows, default_recv_windows)
def test_ed25519_requests_match_the_official_sdk(
    sdk_ed25519, ed25519_pem, asset, amount, recv_window, default_rw
) -> None:
    config, signer = sdk_ed25519
    auth = BinanceAuth(
        API_KEY, load_private_key(ed25519_pem), clock=_pinned(), recv_window=default_rw
    )
    _check(config, signer, auth, asset, amount, recv_window, default_rw)


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
def test_key_objects_match_the_sdk_signer_on_the_same_payload(kind, rsa_pem, ed25519_pem) -> None:
    payload = "asset=%EF%BC%A2NB&amount=0.00000001&recvWindow=60000&timestamp=1"
    if kind == "hmac":
        ours = HmacKey(HMAC_SECRET).sign(payload.encode())
        theirs = sdk_utils.get_signature(ConfigurationRestAPI(api_secret=HMAC_SECRET), payload)
    else:
        pem = rsa_pem if kind == "rsa" else ed25519_pem
        ours = load_private_key(pem).sign(payload.encode())
        config = ConfigurationRestAPI(private_key=pem)
        theirs = sdk_utils.get_signature(config, payload, Signers.get_signer(pem))
    assert ours == theirs


def _sdk_config(**credentials: str) -> ConfigurationRestAPI:
    # retries=0: a failure must surface, not be retried after a sleep.
    return ConfigurationRestAPI(api_key=API_KEY, base_path=BASE_URL, retries=0, **credentials)


def _pinned() -> Clock:
    return Clock(source=lambda: TIMESTAMP * 1_000_000)
