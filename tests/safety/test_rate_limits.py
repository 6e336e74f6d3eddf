"""429 is waited out within the budget; 418 stops every send until its Retry-After."""

from __future__ import annotations

import time

import pytest

from auth_plugin import Banned, RateLimited, RepayClient, RetryPolicy
from papi_sandbox.testing import running_sandbox
from tests.safety.helpers import (
    ACCOUNT,
    RECORDS,
    FakeTime,
    Sleeper,
    account_spec,
    credentials_for,
    repay_posts,
)


def _client(handle, key, **kwargs) -> RepayClient:
    return RepayClient(handle.base_url, credentials_for(key), **kwargs)


def test_429_is_waited_out_for_retry_after_and_the_repay_goes_through(key):
    sleeper = Sleeper(real=True)
    with (
        running_sandbox(accounts=(account_spec(key),), weight_limit=200, window_seconds=1.0) as sb,
        _client(sb, key, sleep=sleeper) as client,
    ):
        client.repay("BTC", "0.01")
        client.repay("BTC", "0.01")
        result = client.repay("BTC", "0.01")  # 429 first, then resent after Retry-After
        assert result.attempts == 2
        assert sleeper.calls == [1.0]
        assert repay_posts(sb) == 4
        assert len(sb.ledger.repays(ACCOUNT)) == 3


def test_429_whose_retry_after_passes_the_cap_is_raised_without_sleeping(key):
    sleeper = Sleeper()
    with (
        running_sandbox(accounts=(account_spec(key),), weight_limit=100, window_seconds=30) as sb,
        _client(sb, key, sleep=sleeper) as client,
    ):
        client.repay("BTC", "0.01")
        with pytest.raises(RateLimited) as caught:
            client.repay("BTC", "0.01")
        error = caught.value
        assert (error.status, error.code, error.sent) == (429, -1003, True)
        assert error.retry_after is not None and error.retry_after > 5
        assert sleeper.calls == []
        assert repay_posts(sb) == 2
        # The client remembers: the next call is refused locally, nothing reaches the server.
        with pytest.raises(RateLimited) as again:
            client.repay("BTC", "0.01")
        assert again.value.sent is False
        assert repay_posts(sb) == 2
        assert len(sb.ledger.repays(ACCOUNT)) == 1


def test_418_blocks_every_send_until_retry_after_has_passed(key):
    with running_sandbox(
        accounts=(account_spec(key),),
        weight_limit=100,
        window_seconds=1.0,
        ban_after_rejections=0,  # the first over-limit request is banned
        ban_seconds=1.0,
        enable_admin=True,
    ) as sb:
        with _client(sb, key, sleep=Sleeper()) as client:
            client.repay("BTC", "0.01")
            with pytest.raises(Banned) as caught:
                client.repay("BTC", "0.01")
            assert (caught.value.status, caught.value.retry_after, caught.value.sent) == (
                418,
                1.0,
                True,
            )
            counts = sb.counters.snapshot()
            for call in (
                lambda: client.repay("BTC", "0.01"),
                lambda: client.reconcile("BTC", "0.01", 1_700_000_000_000),
            ):
                with pytest.raises(Banned) as local:
                    call()
                assert local.value.sent is False
                assert local.value.status == 418
            assert sb.counters.snapshot() == counts  # nothing reached the server
            assert sb.counters.get("GET", RECORDS) == 0
            time.sleep(1.1)
            assert client.repay("BTC", "0.01").attempts == 1
        assert len(sb.ledger.repays(ACCOUNT)) == 2


def test_the_ban_is_kept_for_exactly_retry_after_on_the_clients_clock(key):
    fake = FakeTime()
    with (
        running_sandbox(
            accounts=(account_spec(key),),
            weight_limit=100,
            window_seconds=60,
            ban_after_rejections=0,
            ban_seconds=120,
        ) as sb,
        _client(sb, key, sleep=fake.sleep, monotonic=fake.monotonic) as client,
    ):
        client.repay("BTC", "0.01")
        with pytest.raises(Banned) as caught:
            client.repay("BTC", "0.01")
        assert caught.value.retry_after == 120
        fake.now += 119.9
        with pytest.raises(Banned) as local:
            client.repay("BTC", "0.01")
        assert local.value.sent is False
        assert local.value.retry_after == pytest.approx(0.1)
        assert repay_posts(sb) == 2
        fake.now += 0.1
        # The client's ban is over, so it sends again (the real server still bans: 418).
        with pytest.raises(Banned) as sent_again:
            client.repay("BTC", "0.01")
        assert sent_again.value.sent is True
        assert repay_posts(sb) == 3


def test_a_banned_repay_is_not_retried(key):
    sleeper = Sleeper()
    with (
        running_sandbox(
            accounts=(account_spec(key),), weight_limit=100, ban_after_rejections=0
        ) as sb,
        _client(sb, key, sleep=sleeper, retry=RetryPolicy(max_retries=5)) as client,
    ):
        client.repay("BTC", "0.01")
        with pytest.raises(Banned):
            client.repay("BTC", "0.01")
        assert repay_posts(sb) == 2
        assert sleeper.calls == []


@pytest.mark.anyio
async def test_async_429_recovers_and_418_blocks_locally(key):
    from auth_plugin import AsyncRepayClient

    sleeper = Sleeper(real=True)
    with running_sandbox(accounts=(account_spec(key),), weight_limit=100, window_seconds=1.0) as sb:
        async with AsyncRepayClient(
            sb.base_url, credentials_for(key), sleep=sleeper.asleep
        ) as client:
            await client.repay("BTC", "0.01")
            result = await client.repay("BTC", "0.01")
            assert result.attempts == 2
            assert sleeper.calls == [1.0]
            assert repay_posts(sb) == 3
    with running_sandbox(
        accounts=(account_spec(key),), weight_limit=100, ban_after_rejections=0
    ) as sb:
        async with AsyncRepayClient(
            sb.base_url, credentials_for(key), sleep=Sleeper().asleep
        ) as client:
            await client.repay("BTC", "0.01")
            with pytest.raises(Banned):
                await client.repay("BTC", "0.01")
            with pytest.raises(Banned) as local:
                await client.repay("BTC", "0.01")
            assert local.value.sent is False
            assert repay_posts(sb) == 2
