"""-1021 re-syncs the clock once against the time endpoint, then the repay goes through."""

from __future__ import annotations

import pytest

from auth_plugin import ClockSyncError, RetryPolicy, TimestampRejected
from papi_sandbox.testing import running_sandbox
from tests.safety.helpers import ACCOUNT, TIME, account_spec, closed_port, repay_posts


@pytest.mark.parametrize("shift_ms", [20_000, -20_000])
def test_a_skewed_server_clock_gives_1021_then_a_resync_fixes_it(
    sandbox, make_client, sleeper, shift_ms
):
    sandbox.clock.shift(shift_ms)
    client = make_client()
    result = client.repay("BTC", "0.01")
    assert result.attempts == 2
    assert abs(client.clock.offset_ms - shift_ms) < 500
    assert repay_posts(sandbox) == 2
    assert sandbox.counters.get("GET", TIME) == 3  # the calibration samples
    assert sleeper.calls == []
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1


def test_without_resync_the_1021_is_raised(sandbox, make_client):
    sandbox.clock.shift(20_000)
    with pytest.raises(TimestampRejected) as caught:
        make_client(retry=RetryPolicy(resync_clock=False)).repay("BTC", "0.01")
    assert (caught.value.status, caught.value.code) == (400, -1021)
    assert repay_posts(sandbox) == 1
    assert sandbox.counters.get("GET", TIME) == 0


def test_a_second_1021_after_the_resync_is_raised(sandbox, make_client, key):
    # The time URL points at another (unskewed) server: the resync can't fix the skew.
    sandbox.clock.shift(20_000)
    with running_sandbox(accounts=(account_spec(key),)) as other:
        client = make_client(time_url=other.base_url + TIME)
        with pytest.raises(TimestampRejected):
            client.repay("BTC", "0.01")
        assert other.counters.get("GET", TIME) == 3
    assert repay_posts(sandbox) == 2


def test_an_unreachable_time_endpoint_is_a_clock_sync_error(sandbox, make_client):
    sandbox.clock.shift(20_000)
    client = make_client(time_url=f"http://127.0.0.1:{closed_port()}/api/v3/time")
    with pytest.raises(ClockSyncError, match="did not answer"):
        client.repay("BTC", "0.01")
    assert repay_posts(sandbox) == 1


@pytest.mark.anyio
async def test_async_resync_after_1021(sandbox, make_async_client):
    sandbox.clock.shift(-15_000)
    client = make_async_client()
    result = await client.repay("BTC", "0.01")
    assert result.attempts == 2
    assert abs(client.clock.offset_ms + 15_000) < 500
    assert repay_posts(sandbox) == 2
