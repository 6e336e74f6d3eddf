"""Rejections with Binance's codes and statuses, and the order in which checks apply."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import REPAY, SignedClient, assert_error, now_ms


def _query(**overrides: str | None) -> list[tuple[str, str]]:
    params: dict[str, str | None] = {
        "asset": "BTC",
        "amount": "0.01",
        "timestamp": str(now_ms()),
        **overrides,
    }
    return [(name, value) for name, value in params.items() if value is not None]


def test_missing_api_key_header_is_401_2014(client):
    response = client.send("POST", REPAY, query=_query(), send_api_key=False)
    assert_error(response, 401, -2014, "API-key format invalid.")


def test_empty_api_key_header_is_401_2014(client):
    response = client.send("POST", REPAY, query=_query(), headers={"X-MBX-APIKEY": ""})
    assert_error(response, 401, -2014)


def test_unknown_api_key_is_401_2015(http, keys):
    stranger = SignedClient(http, keys["hmac"], api_key="no-such-key")
    response = stranger.send("POST", REPAY, query=_query())
    assert_error(response, 401, -2015, "Invalid API-key, IP, or permissions for action.")


def test_parameter_repeated_in_query_is_1101(client):
    response = client.send("POST", REPAY, query=_query() + [("asset", "BTC")])
    assert_error(response, 400, -1101, "Duplicate values for a parameter detected.")


def test_parameter_repeated_in_body_is_1101(client):
    response = client.send("POST", REPAY, body=_query() + [("amount", "0.01")])
    assert_error(response, 400, -1101)


def test_unknown_parameter_is_1104(client):
    response = client.send("POST", REPAY, query=_query(side="BUY"))
    assert_error(
        response,
        400,
        -1104,
        "Not all sent parameters were read; read '4' parameter(s) but was sent '5'.",
    )


@pytest.mark.parametrize("missing", ["asset", "amount", "timestamp"])
def test_missing_mandatory_parameter_is_1102(client, missing):
    response = client.send("POST", REPAY, query=_query(**{missing: None}))
    assert_error(
        response,
        400,
        -1102,
        f"Mandatory parameter '{missing}' was not sent, was empty/null, or malformed.",
    )


@pytest.mark.parametrize("empty", ["asset", "amount", "timestamp"])
def test_empty_mandatory_parameter_is_1102(client, empty):
    assert_error(client.send("POST", REPAY, query=_query(**{empty: ""})), 400, -1102)


@pytest.mark.parametrize(
    "amount", ["1e-05", "1E5", "-1", "+1", ".5", "1.", "1,5", "NaN", "Infinity", " 1", "0x10", "１"]
)
def test_amount_that_is_not_a_plain_decimal_is_1100(client, amount):
    response = client.send("POST", REPAY, query=_query(amount=amount))
    assert_error(
        response,
        400,
        -1100,
        "Illegal characters found in parameter 'amount'; "
        r"legal range is '^([0-9]{1,20})(\.[0-9]{1,20})?$'.",
    )


@pytest.mark.parametrize("amount", ["0.000000001", "1.123456789", "0.10000000001"])
def test_amount_with_more_than_8_decimals_is_1111(client, amount):
    response = client.send("POST", REPAY, query=_query(amount=amount))
    assert_error(response, 400, -1111, "Precision is over the maximum defined for this asset.")


def test_trailing_zeros_beyond_8_decimals_are_accepted(sandbox, client):
    assert client.repay(amount="0.0100000000").status_code == 200


@pytest.mark.parametrize("amount", ["0", "0.00000000", "000"])
def test_zero_amount_is_1102(client, amount):
    response = client.send("POST", REPAY, query=_query(amount=amount))
    assert_error(response, 400, -1102)


@pytest.mark.parametrize("asset", ["btc", "Btc", "BT-C", "BTC!", "BT C", "B.T", "A" * 21])
def test_asset_with_illegal_characters_is_1100(client, asset):
    response = client.send("POST", REPAY, query=_query(asset=asset))
    assert_error(
        response,
        400,
        -1100,
        "Illegal characters found in parameter 'asset'; legal range is '^[A-Z0-9]{1,20}$'.",
    )


@pytest.mark.parametrize("name", ["timestamp", "recvWindow"])
@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "1e3", str(2**63), "9" * 20])
def test_long_parameter_that_is_not_an_int64_is_1100(client, name, value):
    response = client.send("POST", REPAY, query=_query(**{name: value}))
    assert_error(
        response,
        400,
        -1100,
        f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.",
    )


def test_recv_window_above_60000_is_1131(client):
    response = client.repay(recv_window=60001)
    assert_error(response, 400, -1131, "recvWindow must be less than 60000")


def test_recv_window_of_0_is_1131_with_a_true_message(client):
    response = client.repay(recv_window=0)
    assert_error(response, 400, -1131, "recvWindow must be greater than 0.")


def test_recv_window_of_60000_is_accepted(client):
    assert client.repay(recv_window=60000).status_code == 200


def test_percent_encoded_invalid_utf8_is_1100(client):
    query = f"asset=%FF&amount=0.01&timestamp={now_ms()}"
    assert_error(client.send("POST", REPAY, query=query), 400, -1100)


def test_raw_invalid_utf8_in_body_is_1100(http, keys):
    response = http.post(
        REPAY,
        content=b"asset=\xff&amount=0.01&timestamp=1&signature=00",
        headers={
            "X-MBX-APIKEY": keys["hmac"].api_key,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert_error(response, 400, -1100, "Illegal characters found in a parameter.")


def test_error_bodies_are_compact_json(client):
    response = client.send("POST", REPAY, query=_query(), send_api_key=False)
    assert response.content == b'{"code":-2014,"msg":"API-key format invalid."}'


# -- order of checks: each case breaks two rules and expects the earlier one to answer ------


def test_api_key_is_checked_before_parameters(client):
    response = client.send("POST", REPAY, query=_query(side="BUY"), send_api_key=False)
    assert_error(response, 401, -2014)


def test_unknown_api_key_is_checked_before_parameters(http, keys):
    stranger = SignedClient(http, keys["hmac"], api_key="no-such-key")
    assert_error(stranger.send("POST", REPAY, query=_query(asset="btc")), 401, -2015)


def test_duplicates_are_checked_before_unknown_parameters(client):
    response = client.send("POST", REPAY, query=_query(side="BUY") + [("asset", "BTC")])
    assert_error(response, 400, -1101)


def test_unknown_parameters_are_checked_before_missing_ones(client):
    response = client.send("POST", REPAY, query=_query(amount=None, side="BUY"))
    assert_error(response, 400, -1104)


def test_missing_parameters_are_checked_before_formats(client):
    response = client.send("POST", REPAY, query=_query(asset="btc", amount=None))
    assert_error(response, 400, -1102)


def test_formats_are_checked_before_recv_window(client):
    response = client.send("POST", REPAY, query=_query(amount="1e-05", recvWindow="70000"))
    assert_error(response, 400, -1100)


def test_recv_window_is_checked_before_timestamp(client):
    response = client.send(
        "POST", REPAY, query=_query(timestamp=str(now_ms() - 100_000), recvWindow="70000")
    )
    assert_error(response, 400, -1131)


def test_timestamp_is_checked_before_signature(client):
    response = client.send(
        "POST", REPAY, query=_query(timestamp=str(now_ms() - 100_000)), signature="0" * 64
    )
    assert_error(response, 400, -1021)


def test_signature_is_checked_before_business_rules(client):
    response = client.send("POST", REPAY, query=_query(asset="XRP"), signature="0" * 64)
    assert_error(response, 400, -1022)


def test_unknown_path_and_wrong_method_are_plain_http_errors(http, client):
    assert http.get("/papi/v1/nothing").status_code == 404
    assert http.get(REPAY).status_code == 405
