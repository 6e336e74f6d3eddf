"""Request weight per IP: X-MBX-USED-WEIGHT-1M, 429 with Retry-After, then a 418 ban."""

from __future__ import annotations

import time

import httpx
import pytest

from papi_sandbox.testing import running_sandbox
from tests.sandbox.helpers import REPAY, assert_error, standard_accounts

WEIGHT = "x-mbx-used-weight-1m"


@pytest.fixture
def tight(keys):
    """3 weight per 2 s; two 429s in a row are tolerated, the next is a 1 s ban."""
    with running_sandbox(
        accounts=standard_accounts(keys),
        weight_limit=3,
        window_seconds=2,
        ban_after_rejections=2,
        ban_seconds=1,
        enable_admin=True,
    ) as handle:
        yield handle


def _ping(http: httpx.Client) -> httpx.Response:
    return http.get("/papi/v1/ping")


def test_limit_gives_429_then_418_then_recovers(tight):
    with httpx.Client(base_url=tight.base_url, trust_env=False) as http:
        for used in (1, 2, 3):
            response = _ping(http)
            assert response.status_code == 200
            assert response.json() == {}
            assert response.headers[WEIGHT] == str(used)
        for _ in range(2):
            limited = _ping(http)
            assert_error(limited, 429, -1003)
            assert limited.json()["msg"].startswith("Too many requests;")
            assert 1 <= int(limited.headers["retry-after"]) <= 2
            assert limited.headers[WEIGHT] == "3"
        banned = _ping(http)
        assert_error(banned, 418, -1003)
        assert banned.json()["msg"].startswith("Way too many requests;")
        assert banned.headers["retry-after"] == "1"
        assert _ping(http).status_code == 418  # still banned

        time.sleep(int(banned.headers["retry-after"]) + 0.1)
        after_ban = _ping(http)
        assert after_ban.status_code in (200, 429)  # the ban is over; the window may be full
        if after_ban.status_code == 429:
            time.sleep(int(after_ban.headers["retry-after"]) + 0.1)
            assert _ping(http).status_code == 200


def test_rate_limited_repay_does_not_execute(keys, make_client):
    with running_sandbox(accounts=standard_accounts(keys), weight_limit=100) as handle:
        client = make_client(handle, "hmac")
        assert client.repay().status_code == 200
        assert_error(client.repay(), 429, -1003)
        assert len(handle.ledger.repays("acct-hmac")) == 1
        assert handle.counters.get("POST", REPAY) == 2


def test_default_limit_allows_60_repays_a_minute(keys, make_client):
    with running_sandbox(accounts=standard_accounts(keys)) as handle:
        client = make_client(handle, "hmac")
        for n in range(1, 61):
            # Rejected requests weigh the same: cheap ones are enough to fill the window.
            response = client.repay("XRP", "1")
            assert response.status_code == 400
            assert response.headers[WEIGHT] == str(100 * n)
        limited = client.repay("XRP", "1")
        assert_error(limited, 429, -1003)
        assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_every_answer_carries_the_used_weight(sandbox, client, http):
    assert client.repay().headers[WEIGHT] == "100"
    assert client.repay(amount="1e-05").headers[WEIGHT] == "200"
    assert client.send("POST", REPAY, query="asset=BTC", send_api_key=False).headers[WEIGHT] == (
        "300"
    )
    assert http.get("/api/v3/time").headers[WEIGHT] == "301"


def test_weights_per_endpoint(sandbox, client, http):
    assert http.get("/papi/v1/ping").headers[WEIGHT] == "1"
    assert client.records(asset="BTC", startTime=1).headers[WEIGHT] == "11"
    assert client.repay().headers[WEIGHT] == "111"


def test_admin_reset_lifts_a_ban(tight):
    with httpx.Client(base_url=tight.base_url, trust_env=False) as http:
        statuses = [_ping(http).status_code for _ in range(6)]
        assert statuses == [200, 200, 200, 429, 429, 418]
        assert (
            http.get("/sandbox-admin/rate-limits").json()["clients"]["127.0.0.1"]["used_weight"]
            == 3
        )
        assert http.post("/sandbox-admin/rate-limits/reset", json={}).json() == {"clients": {}}
        assert _ping(http).status_code == 200


def test_admin_api_is_not_rate_limited(tight):
    with httpx.Client(base_url=tight.base_url, trust_env=False) as http:
        for _ in range(10):
            response = http.get("/sandbox-admin/clock")
            assert response.status_code == 200
            assert WEIGHT not in response.headers
