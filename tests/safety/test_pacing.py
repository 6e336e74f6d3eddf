"""With pacing on, a burst stays under the IP weight limit: not a single 429."""

from __future__ import annotations

import time

import anyio
import pytest

from auth_plugin import AsyncRepayClient, RateLimited, RepayClient, RetryPolicy, WeightBudget
from papi_sandbox.testing import running_sandbox
from tests.safety.helpers import ACCOUNT, FakeTime, account_spec, credentials_for, repay_posts

# A 60 s / 6000 window scaled down: 10 repays per half second instead of 60 per minute.
LIMIT = 1000
WINDOW = 0.5


def _sandbox(key):
    return running_sandbox(accounts=(account_spec(key),), weight_limit=LIMIT, window_seconds=WINDOW)


def test_120_paced_repays_finish_without_a_single_429(key):
    with (
        _sandbox(key) as sb,
        RepayClient(
            sb.base_url,
            credentials_for(key),
            pace=True,
            weight_limit=LIMIT,
            window_seconds=WINDOW,
            retry=RetryPolicy.none(),  # a 429 would raise and fail the test
        ) as client,
    ):
        started = time.monotonic()
        results = [client.repay("BTC", "0.01") for _ in range(120)]
        elapsed = time.monotonic() - started
        assert repay_posts(sb) == 120
        assert len(sb.ledger.repays(ACCOUNT)) == 120
    assert all(result.attempts == 1 for result in results)
    assert max(result.used_weight or 0 for result in results) <= LIMIT
    # 12 windows' worth of weight: at least 11 windows must have passed.
    assert elapsed >= 11 * WINDOW


def test_the_same_burst_without_pacing_is_rate_limited(key):
    with (
        _sandbox(key) as sb,
        RepayClient(sb.base_url, credentials_for(key), retry=RetryPolicy.none()) as client,
    ):
        with pytest.raises(RateLimited):
            for _ in range(20):
                client.repay("BTC", "0.01")
        assert repay_posts(sb) == 11


@pytest.mark.anyio
async def test_60_concurrent_paced_async_repays_finish_without_a_single_429(key):
    with _sandbox(key) as sb:
        async with AsyncRepayClient(
            sb.base_url,
            credentials_for(key),
            pace=True,
            weight_limit=LIMIT,
            window_seconds=WINDOW,
            retry=RetryPolicy.none(),
        ) as client:
            results = []

            async def one() -> None:
                results.append(await client.repay("BTC", "0.01"))

            async with anyio.create_task_group() as group:
                for _ in range(60):
                    group.start_soon(one)
        assert repay_posts(sb) == 60
        assert len(sb.ledger.repays(ACCOUNT)) == 60
    assert len(results) == 60
    assert len({result.tran_id for result in results}) == 60


def test_budget_waits_for_the_oldest_send_to_leave_the_window():
    fake = FakeTime()
    budget = WeightBudget(300, 10.0, margin_seconds=0.0, monotonic=fake.monotonic)
    for used in (100, 200, 300):
        send, wait = budget.try_reserve(100)
        assert send is not None and wait == 0
        budget.settle(send, used)
        fake.now += 1
    send, wait = budget.try_reserve(100)
    assert send is None
    assert wait == pytest.approx(7.0)  # the first send settled at t=0, leaves at t=10
    fake.now += wait
    send, wait = budget.try_reserve(100)
    assert send is not None and wait == 0


def test_budget_counts_weight_the_header_shows_from_other_processes():
    fake = FakeTime()
    budget = WeightBudget(1000, 60.0, margin_seconds=0.0, monotonic=fake.monotonic)
    send, _ = budget.try_reserve(100)
    assert send is not None
    budget.settle(send, 950)  # the IP has used 850 more than this client sent
    assert budget.estimate() == 950
    assert budget.last_used_weight == 950
    send, wait = budget.try_reserve(100)
    assert send is None and wait == pytest.approx(60.0)
    fake.now += 60
    assert budget.estimate() == 0


def test_budget_counts_sends_in_flight():
    fake = FakeTime()
    budget = WeightBudget(200, 1.0, margin_seconds=0.0, monotonic=fake.monotonic)
    first, _ = budget.try_reserve(100)
    second, _ = budget.try_reserve(100)
    assert first is not None and second is not None
    blocked, wait = budget.try_reserve(100)
    assert blocked is None and wait == pytest.approx(1.0)
    with pytest.raises(ValueError, match="never fit"):
        budget.try_reserve(201)


def test_noted_weight_leaves_the_window_like_any_other():
    fake = FakeTime()
    budget = WeightBudget(100, 1.0, margin_seconds=0.0, monotonic=fake.monotonic)
    budget.note(3)
    assert budget.estimate() == 3
    fake.now += 1.0
    assert budget.estimate() == 0
