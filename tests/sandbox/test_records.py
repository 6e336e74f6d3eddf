"""GET /papi/v1/margin/repayLoan: the repay records, newest first."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import RECORDS, assert_error, now_ms

DAY = 24 * 60 * 60 * 1000
T0 = 1_700_000_000_000


@pytest.fixture
def three_repays(sandbox, client):
    """Repays of 0.15, 0.2, 0.3 BTC at T0, T0+1 day, T0+2 days; returns their tranIds."""
    ids = []
    for day, amount in enumerate(["0.15", "0.2", "0.3"]):
        sandbox.clock.pin(T0 + day * DAY)
        ids.append(client.repay("BTC", amount, timestamp=T0 + day * DAY).json()["tranId"])
    sandbox.clock.pin(T0 + 3 * DAY)
    return ids


def test_record_by_tx_id_has_binance_shape(three_repays, client):
    response = client.records(asset="BTC", txId=three_repays[0], timestamp=T0 + 3 * DAY)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "rows": [
            {
                "amount": "0.15000000",
                "asset": "BTC",
                "interest": "0.10000000",
                "principal": "0.05000000",
                "status": "CONFIRMED",
                "timestamp": T0,
                "txId": three_repays[0],
            }
        ],
        "total": 1,
    }


def test_records_by_time_range_are_newest_first(three_repays, client):
    response = client.records(asset="BTC", startTime=T0, timestamp=T0 + 3 * DAY)
    body = response.json()
    assert body["total"] == 3
    assert [row["txId"] for row in body["rows"]] == three_repays[::-1]
    assert [row["amount"] for row in body["rows"]] == ["0.30000000", "0.20000000", "0.15000000"]


def test_time_range_bounds_are_inclusive(three_repays, client):
    body = client.records(
        asset="BTC", startTime=T0 + DAY, endTime=T0 + DAY, timestamp=T0 + 3 * DAY
    ).json()
    assert [row["txId"] for row in body["rows"]] == [three_repays[1]]


def test_tx_id_takes_precedence_over_time_range(three_repays, client):
    body = client.records(
        asset="BTC",
        txId=three_repays[2],
        startTime=T0 - 10 * DAY,
        endTime=T0 - 9 * DAY,
        timestamp=T0 + 3 * DAY,
    ).json()
    assert [row["txId"] for row in body["rows"]] == [three_repays[2]]


def test_paging_with_current_and_size(three_repays, client):
    page = client.records(
        asset="BTC", startTime=T0, size=2, current=2, timestamp=T0 + 3 * DAY
    ).json()
    assert page["total"] == 3
    assert [row["txId"] for row in page["rows"]] == [three_repays[0]]


def test_other_assets_and_accounts_are_not_listed(three_repays, sandbox, clients):
    rsa = clients["rsa"]
    rsa.repay("BTC", "0.01", timestamp=T0 + 3 * DAY)
    assert rsa.records(asset="BTC", startTime=T0, timestamp=T0 + 3 * DAY).json()["total"] == 1
    assert clients["hmac"].records(asset="USDT", startTime=T0, timestamp=T0 + 3 * DAY).json() == {
        "rows": [],
        "total": 0,
    }
    foreign = rsa.records(asset="BTC", txId=three_repays[0], timestamp=T0 + 3 * DAY).json()
    assert foreign == {"rows": [], "total": 0}


def test_archived_lists_only_records_older_than_six_months(three_repays, sandbox, client):
    later = T0 + 200 * DAY
    sandbox.clock.pin(later)
    recent = client.records(asset="BTC", startTime=later - 29 * DAY, timestamp=later).json()
    assert recent["total"] == 0
    archived = client.records(
        asset="BTC", startTime=T0, endTime=T0 + 29 * DAY, archived="true", timestamp=later
    ).json()
    assert archived["total"] == 3


def test_tx_id_or_start_time_must_be_sent(sandbox, client):
    assert_error(
        client.records(asset="BTC"),
        400,
        -1102,
        "Param 'txId' or 'startTime' must be sent, but both were empty/null!",
    )


def test_range_longer_than_30_days_is_1127(sandbox, client):
    now = now_ms()
    assert_error(client.records(asset="BTC", startTime=now - 31 * DAY), 400, -1127)
    ok = client.records(asset="BTC", startTime=now - 30 * DAY, endTime=now)
    assert ok.status_code == 200


@pytest.mark.parametrize(("name", "value"), [("size", 101), ("size", 0), ("current", 0)])
def test_paging_out_of_range_is_1130(sandbox, client, name, value):
    response = client.records(asset="BTC", startTime=now_ms(), **{name: value})
    assert_error(response, 400, -1130, f"Data sent for parameter '{name}' is not valid.")


def test_archived_must_be_true_or_false(sandbox, client):
    assert_error(client.records(asset="BTC", startTime=now_ms(), archived="yes"), 400, -1130)


def test_asset_is_mandatory(sandbox, client):
    assert_error(client.records(startTime=now_ms()), 400, -1102)


def test_records_need_a_valid_signature(sandbox, client):
    response = client.send(
        "GET", RECORDS, query=f"asset=BTC&startTime=1&timestamp={now_ms()}", signature="0" * 64
    )
    assert_error(response, 400, -1022)


def test_records_need_a_fresh_timestamp(sandbox, client):
    assert_error(client.records(asset="BTC", startTime=1, timestamp=now_ms() - 6000), 400, -1021)


def test_records_weigh_10(sandbox, client):
    response = client.records(asset="BTC", startTime=now_ms())
    assert response.headers["x-mbx-used-weight-1m"] == "10"
