"""queue and queue_deadline: a request received, held before its timestamp check, then checked
and executed as of its release instant X. Released by a jump of the sandbox clock (before the
clock call returns) or by real time reaching X; executed once either way. The tests jump the
clock: none waits whole seconds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from papi_sandbox.testing import ServedSandbox
from tests.sandbox.helpers import SignedClient, assert_error

NOW = 1_700_000_000_000
OUTSIDE = "Timestamp for this request is outside of the recvWindow."


@pytest.fixture
def pinned(sandbox: ServedSandbox) -> ServedSandbox:
    sandbox.clock.pin(NOW)
    return sandbox


Background = Callable[..., "Future[httpx.Response]"]


@pytest.fixture
def background(sandbox: ServedSandbox, client: SignedClient) -> Iterator[Background]:
    """Send a repay from another thread (on its own connection): a held request answers only
    once released, so the test thread must be free to release it."""
    pool = ThreadPoolExecutor(max_workers=8)
    opened: list[httpx.Client] = []

    def repay(**kwargs: object) -> Future[httpx.Response]:
        http = httpx.Client(base_url=sandbox.base_url, trust_env=False, timeout=10)
        opened.append(http)
        return pool.submit(SignedClient(http, client.key).repay, **kwargs)

    yield repay
    sandbox.reset()  # answers anything still held, so no thread waits on it
    pool.shutdown(wait=True)
    for http in opened:
        http.close()


def wait_held(sandbox: ServedSandbox, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(sandbox.held) != count:
        assert time.monotonic() < deadline, f"{len(sandbox.held)} held, not {count}"
        time.sleep(0.002)


def test_a_clock_shift_releases_a_queued_repay_before_it_returns(pinned, background):
    pinned.faults.inject("queue", ms=3_000)
    answer = background(timestamp=NOW, recv_window=5_000)
    wait_held(pinned, 1)
    pinned.clock.shift(2_999)
    assert pinned.ledger.repays("acct-hmac") == []
    assert not answer.done()
    pinned.clock.shift(1)
    (record,) = pinned.ledger.repays("acct-hmac")  # executed inside shift(), no waiting
    assert record.timestamp == NOW + 3_000
    assert len(pinned.held) == 0
    response = answer.result(timeout=5)
    assert response.status_code == 200
    assert response.json() == {"tranId": record.tran_id}


def test_a_big_jump_executes_as_of_the_release_instant_not_the_new_now(pinned, background):
    pinned.faults.inject("queue", ms=1_000)
    pinned.faults.inject("stamp_shift", ms=-200)
    answer = background(timestamp=NOW, recv_window=2_000)
    wait_held(pinned, 1)
    pinned.clock.shift(50_000)  # far past the window: checked as of NOW + 1000, it passes
    assert answer.result(timeout=5).status_code == 200
    (record,) = pinned.ledger.repays("acct-hmac")
    assert record.timestamp == NOW + 1_000 - 200


def test_a_queue_past_the_window_is_refused_1021_with_nothing_executed(pinned, background):
    before = pinned.ledger.balances("acct-hmac")
    pinned.faults.inject("queue", ms=5_001)
    answer = background(timestamp=NOW)  # default recvWindow 5000
    wait_held(pinned, 1)
    pinned.clock.shift(6_000)
    assert_error(answer.result(timeout=5), 400, -1021, OUTSIDE)
    assert pinned.ledger.repays("acct-hmac") == []
    assert pinned.ledger.balances("acct-hmac") == before


@pytest.mark.parametrize(("recv_window", "ms"), [(5_000, 0), (3_000, 250), (60_000, 59_000)])
def test_queue_deadline_executes_at_timestamp_plus_window_minus_ms(
    pinned, background, recv_window, ms
):
    timestamp = NOW - 100
    pinned.faults.inject("queue_deadline", ms=ms)
    answer = background(timestamp=timestamp, recv_window=recv_window)
    wait_held(pinned, 1)
    pinned.clock.shift(120_000)
    assert answer.result(timeout=5).status_code == 200
    (record,) = pinned.ledger.repays("acct-hmac")
    assert record.timestamp == timestamp + recv_window - ms


def test_queue_deadline_never_goes_back_before_arrival(pinned, background):
    pinned.faults.inject("queue_deadline", ms=4_000)
    answer = background(timestamp=NOW - 3_000)  # deadline NOW - 2000: already past
    assert answer.result(timeout=5).status_code == 200
    assert pinned.ledger.repays("acct-hmac")[0].timestamp == NOW


def test_a_queued_request_is_released_by_real_time_too(sandbox, background):
    sandbox.faults.inject("queue", ms=150)
    sent = time.monotonic()
    response = background(amount="0.01").result(timeout=5)
    assert response.status_code == 200
    assert 0.14 < time.monotonic() - sent < 2
    (record,) = sandbox.ledger.repays("acct-hmac")
    assert record.tran_id == response.json()["tranId"]


def test_the_admin_clock_releases_held_requests_before_it_answers(pinned, background, http):
    pinned.faults.inject("queue", ms=10_000, times=3)
    answers = [background(timestamp=NOW, recv_window=60_000) for _ in range(3)]
    wait_held(pinned, 3)
    assert http.post("/sandbox-admin/clock", json={"shift_ms": 10_000}).status_code == 200
    assert len(pinned.ledger.repays("acct-hmac")) == 3
    assert sorted(a.result(timeout=5).json()["tranId"] for a in answers) == sorted(
        r.tran_id for r in pinned.ledger.repays("acct-hmac")
    )


def test_released_by_shifts_and_real_time_at_once_each_executes_once(sandbox, background):
    sandbox.faults.inject("queue", ms=40, times=None)
    answers = [background(amount="0.001", recv_window=60_000) for _ in range(12)]
    for _ in range(20):
        sandbox.clock.shift(5)
        time.sleep(0.003)
    responses = [answer.result(timeout=5) for answer in answers]
    assert [r.status_code for r in responses] == [200] * 12
    ids = sorted(r.json()["tranId"] for r in responses)
    assert ids == sorted(r.tran_id for r in sandbox.ledger.repays("acct-hmac"))
    assert len(set(ids)) == 12
    liability = sandbox.ledger.balances("acct-hmac")["BTC"].liability
    assert liability == Decimal("1.1") - 12 * Decimal("0.001")


def test_a_queued_repay_whose_client_left_still_executes(pinned, client):
    pinned.faults.inject("queue", ms=2_000)
    with pytest.raises(httpx.ReadTimeout):
        client.repay(timestamp=NOW, timeout=0.2)
    wait_held(pinned, 1)
    pinned.clock.shift(2_000)
    assert len(pinned.ledger.repays("acct-hmac")) == 1


def test_after_faults_apply_to_a_released_request(pinned, background):
    pinned.faults.inject("queue", ms=500)
    pinned.faults.inject("unknown_after", status=408, code=-1007)
    answer = background(timestamp=NOW)
    wait_held(pinned, 1)
    pinned.clock.shift(500)
    assert_error(answer.result(timeout=5), 408, -1007)
    assert len(pinned.ledger.repays("acct-hmac")) == 1


def test_reset_answers_held_requests_1021_without_executing(pinned, background):
    pinned.faults.inject("queue", ms=1_000, times=2)
    answers = [background(timestamp=NOW) for _ in range(2)]
    wait_held(pinned, 2)
    pinned.reset()
    for answer in answers:
        assert_error(answer.result(timeout=5), 400, -1021, OUTSIDE)
    assert pinned.ledger.repays("acct-hmac") == []
    assert len(pinned.held) == 0


def test_a_queued_read_answers_as_of_its_release(pinned, client):
    pinned.faults.inject("queue", ms=7_000, path="/api/v3/time")
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        httpx.Client(base_url=pinned.base_url, trust_env=False, timeout=10) as http,
    ):
        answer = pool.submit(http.get, "/api/v3/time")
        wait_held(pinned, 1)
        pinned.clock.shift(60_000)
        assert answer.result(timeout=5).json() == {"serverTime": NOW + 7_000}


def test_queue_faults_over_the_admin_api(pinned, background, http):
    armed = http.post("/sandbox-admin/faults", json={"kind": "queue_deadline", "ms": 10})
    assert armed.status_code == 200, armed.text
    assert armed.json()["faults"][0]["ms"] == 10
    answer = background(timestamp=NOW, recv_window=1_000)
    wait_held(pinned, 1)
    http.post("/sandbox-admin/clock", json={"pin_ms": NOW + 990})
    assert answer.result(timeout=5).status_code == 200
    assert pinned.ledger.repays("acct-hmac")[0].timestamp == NOW + 990


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ([("asset", "BTC"), ("amount", "0.01")], -1102),  # no timestamp
        ([("asset", "BTC"), ("amount", "0.01"), ("timestamp", "soon")], -1100),
        ([("asset", "BTC"), ("amount", "0.01"), ("recvWindow", "x"), ("timestamp", "1")], -1100),
    ],
)
def test_queue_deadline_without_a_readable_deadline_is_not_held(pinned, client, params, code):
    pinned.faults.inject("queue_deadline")
    assert_error(client.send("POST", "/papi/v1/repayLoan", query=params), 400, code)
    assert len(pinned.held) == 0
    assert pinned.faults.active() == []  # struck (and used by) the request it refused
