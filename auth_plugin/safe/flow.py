"""The safe repay, written once and without I/O: generators that yield effects (`effects`).

    repay:      admission -> send -> classify the answer (once, from the response) -> retry
                what provably did not execute (`retry_policy`), re-syncing the clock after
                -1021 -> result; an unknown outcome is raised at once and remembered as
                unresolved
    reconcile:  measure the server's clock -> wait until the request can no longer execute
                -> read every page of its window -> verdict (`reconcile`)
    sync_clock: admission -> the clock measurement (`signer.clock.measurement`)

Admission: a 418 or 429 the server announced blocks every send locally until its Retry-After
(waiting when that is short, raising when long); with `pace`, a send waits until its weight
fits the budget (`pacing`). `RepayClient` and `AsyncRepayClient` only perform the effects.
"""

from __future__ import annotations

import json
import math
from collections.abc import Generator
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import httpx

from auth_plugin.safe.classify import (
    SendContext,
    error_from_response,
    error_from_transport,
    outcome_unknown,
    used_weight,
)
from auth_plugin.safe.config import ClientConfig
from auth_plugin.safe.effects import Call, Effect, Sleep
from auth_plugin.safe.endpoints import (
    BALANCE,
    BORROW,
    RECORDS_OF_KIND,
    REPAY,
    TIME_PATH_WEIGHT,
    Endpoint,
    UnusableAnswer,
)
from auth_plugin.safe.errors import (
    Banned,
    FreeBalanceShort,
    InvalidInput,
    OutcomeUnknown,
    PapiError,
    RateLimited,
)
from auth_plugin.safe.pacing import Send, WeightBudget
from auth_plugin.safe.reconcile import (
    DEFAULT_RECV_WINDOW_MS,
    PAGE_SIZE,
    ReconcileResult,
    RecordWalk,
    SentRepay,
    TranIdLedger,
    judge,
    key_of,
)
from auth_plugin.safe.results import BorrowResult, Debt, RepayAllResult, RepayResult
from auth_plugin.safe.retry_policy import DEFAULT_BAN_SECONDS
from auth_plugin.signer.auth import stamp_of
from auth_plugin.signer.clock import OffsetSample, measurement
from auth_plugin.signer.validation import canonical_amount, validate_asset, validate_recv_window

T = TypeVar("T")
R = TypeVar("R", bound=RepayResult)
Flow = Generator[Effect, Any, T]
Amount = Decimal | int | str

CLOCK_SAMPLES = 3
USED_WEIGHT = "papi_used_weight"  # response.extensions: the header, read once per answer
# Reads are idempotent: a short recvWindow chosen for repays would only make them fail (-1021).
READ_RECV_WINDOW_MS = DEFAULT_RECV_WINDOW_MS


class SafeFlow:
    """The state one client keeps between calls (clock, weight budget, bans, what it knows of
    its own repays) and the flows over it."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.retry = config.retry
        self.monotonic = config.monotonic
        self.budget = WeightBudget(
            config.weight_limit, config.window_seconds, monotonic=config.monotonic
        )
        self.time_url = config.effective_time_url
        self.tran_ids = TranIdLedger()
        self.banned_until = 0.0
        self.ban: Banned | None = None
        self.limited_until = 0.0
        self.rate_limit: RateLimited | None = None

    # -- the flows --------------------------------------------------------------------------

    def repay(
        self, asset: str, amount: Amount, recv_window: int | None = None
    ) -> Flow[RepayResult]:
        return self._execute(REPAY, RepayResult, asset, amount, recv_window)

    def borrow(
        self, asset: str, amount: Amount, recv_window: int | None = None
    ) -> Flow[BorrowResult]:
        return self._execute(BORROW, BorrowResult, asset, amount, recv_window)

    def debt(self, asset: str | None = None) -> Flow[dict[str, Debt]]:
        """What each asset owes (one asset, if named), from the balance."""
        params: dict[str, Any] = {} if asset is None else {"asset": validate_asset(asset)}
        _, balances, _ = yield from self._send(BALANCE, params, SendContext("balance query", ""))
        return {
            b.asset: Debt(
                b.asset,
                Decimal(b.cross_margin_borrowed),
                Decimal(b.cross_margin_interest),
                Decimal(b.cross_margin_free),
            )
            for b in balances
        }

    def repay_all(
        self, asset: str, *, cap: bool = False, before: Debt | None = None
    ) -> Flow[RepayAllResult]:
        """Repay principal + interest as read (or as `before` says, read by the caller), with
        one repay; then read what is left.

        A free balance short of the debt refuses (FreeBalanceShort, nothing sent), or with
        `cap` repays what it covers. An unknown outcome is raised as from `repay`: never a
        second repay.
        """
        asset = validate_asset(asset)
        if before is None or before.asset != asset:
            before = (yield from self.debt(asset))[asset]
        if before.free < before.total and (not cap or before.free <= 0):
            raise FreeBalanceShort(
                f"{asset}: the free balance {before.free} is short of the debt {before.total} "
                f"(principal {before.principal} + interest {before.interest}); nothing sent"
            )
        amount = min(before.total, before.free)
        repaid = None if amount == 0 else (yield from self.repay(asset, amount))
        after = (yield from self.debt(asset))[asset]
        return RepayAllResult(asset, before, repaid, after, capped=amount < before.total)

    def _execute(
        self,
        endpoint: Endpoint[int],
        result: type[R],
        asset: str,
        amount: Amount,
        recv_window: int | None,
    ) -> Flow[R]:
        """A repay or a borrow: its `result`."""
        asset, amount_text, window = checked(asset, amount, recv_window)
        context = SendContext(endpoint.name, asset, amount_text, None, self.window_of(window))
        params: dict[str, Any] = {"asset": asset, "amount": amount_text}
        if window is not None:
            params["recv_window"] = window
        try:
            answer, tran_id, attempts = yield from self._send(endpoint, params, context)
        except OutcomeUnknown as error:
            if error.timestamp_ms is not None:
                error.sent_id = self.tran_ids.unknown(self.sent_of(error, endpoint.name)).sent_id
            raise
        stamp = stamp_of(answer.request)
        timestamp = None if stamp is None else stamp.timestamp_ms
        if timestamp is not None:
            self.tran_ids.acknowledged(
                tran_id, key_of(endpoint.name, asset, amount_text, timestamp)
            )
        weight = answer.extensions[USED_WEIGHT]
        return result(tran_id, asset, amount_text, timestamp, weight, attempts)

    def reconcile(self, request: SentRepay, *, settle: bool) -> Flow[ReconcileResult]:
        sample = yield from self.sync_clock()
        if settle and (delay := self.settle_delay(request, sample)) > 0:
            yield Sleep(delay)
        read_from = self.server_now_low(sample)
        walk = RecordWalk()
        records = RECORDS_OF_KIND[request.kind]
        context = SendContext(records.name, request.asset)
        while (page := walk.next_page()) is not None:
            params = {
                "asset": request.asset,
                "start_time": request.earliest_ms,
                "end_time": request.latest_ms,
                "current": page,
                "size": PAGE_SIZE,
                "recv_window": READ_RECV_WINDOW_MS,
            }
            _, (rows, total), _ = yield from self._send(records, params, context)
            walk.add(rows, total)
        standing = self.tran_ids.standing(request)
        result = judge(
            request,
            walk,
            window_closed=read_from > request.latest_ms,
            known_elsewhere=standing.known_elsewhere,
            unresolved=standing.rivals,
            sends_alike=standing.sends_alike,
        )
        self.tran_ids.settle(result, standing.identity)
        return result

    def sync_clock(self) -> Flow[OffsetSample]:
        send = yield from self._admit(TIME_PATH_WEIGHT * CLOCK_SAMPLES)
        try:
            best = yield from measurement(self.time_url, CLOCK_SAMPLES)
        finally:
            self.budget.settle(send, None)
        self.clock.offset_ms = best.offset_ms
        return best

    # -- one call, with its retries -----------------------------------------------------------

    def _send(
        self, endpoint: Endpoint[T], params: dict[str, Any], context: SendContext
    ) -> Flow[tuple[httpx.Response, T, int]]:
        resynced = False
        attempt = 1
        while True:
            try:
                answer, value = yield from self._once(endpoint, params, context)
                return answer, value, attempt
            except PapiError as error:
                step = self.retry.next_step(
                    error, attempt, idempotent=endpoint.idempotent, clock_resynced=resynced
                )
                if step is None:
                    raise
                if step.resync_clock:
                    yield from self.sync_clock()
                    resynced = True
                if step.delay > 0:
                    yield Sleep(step.delay)
                attempt += 1

    def _once(
        self, endpoint: Endpoint[T], params: dict[str, Any], context: SendContext
    ) -> Flow[tuple[httpx.Response, T]]:
        send, wait = self.admission(endpoint.weight)
        if send is None:  # wait for the budget (the usual case needs no generator for it)
            yield Sleep(wait)
            send = yield from self._admit(endpoint.weight)
        signed_from = self.clock.now_ms()
        try:
            answer = yield Call(endpoint, params)
        except BaseException:  # interrupted (e.g. cancelled) with the request perhaps out
            self.budget.settle(send, None)
            if not endpoint.idempotent and context.amount:
                self.tran_ids.unknown(
                    SentRepay(
                        context.asset,
                        context.amount,
                        signed_from,
                        self.window_of(context.recv_window),
                        signed_until_ms=self.clock.now_ms(),
                        kind=endpoint.name,
                    )
                )
            raise
        if isinstance(answer, httpx.HTTPError):
            self.budget.settle(send, None)
            raise error_from_transport(answer, _stamped(context, _request_of(answer)))
        weight = answer.extensions[USED_WEIGHT] = used_weight(answer.headers)
        self.budget.settle(send, weight)
        if answer.status_code != 200:
            stamped = _stamped(context, answer.request)
            error = error_from_response(answer.status_code, answer.headers, answer.content, stamped)
            raise self.learn(error)
        try:
            return answer, endpoint.parse(json.loads(answer.content.decode()))
        except (UnusableAnswer, ValueError) as unusable:
            stamped, reason = _stamped(context, answer.request), f"HTTP 200, but {unusable}"
            raise outcome_unknown(stamped, reason, status=200, headers=answer.headers) from None

    def _admit(self, weight: int) -> Flow[Send]:
        while True:
            send, wait = self.admission(weight)
            if send is not None:
                return send
            yield Sleep(wait)

    # -- the state between calls --------------------------------------------------------------

    def admission(self, weight: int) -> tuple[Send | None, float]:
        """Raise if nothing may be sent; else (the logged send, 0) or (None, seconds to wait)."""
        now = self.monotonic()
        if now < self.banned_until:
            raise _local_copy(self.ban, Banned, self.banned_until - now)
        if now < self.limited_until:
            wait = self.limited_until - now
            if wait > self.retry.max_backoff_seconds:
                raise _local_copy(self.rate_limit, RateLimited, wait)
            return None, wait
        if self.config.pace:
            return self.budget.try_reserve(weight)
        return self.budget.record(weight), 0.0

    def learn(self, error: PapiError) -> PapiError:
        """Remember bans and rate limits the server announced; return the error."""
        now = self.monotonic()
        if isinstance(error, Banned) and error.sent:
            wait = DEFAULT_BAN_SECONDS if error.retry_after is None else error.retry_after
            self.banned_until = max(self.banned_until, now + wait)
            self.ban = error
        elif isinstance(error, RateLimited) and error.sent:
            wait = self.retry.backoff(1) if error.retry_after is None else error.retry_after
            self.limited_until = max(self.limited_until, now + wait)
            self.rate_limit = error
        return error

    def window_of(self, recv_window: int | None) -> int:
        """The recvWindow the server applies: the call's, the client's, or its default."""
        if recv_window is not None:
            return recv_window
        configured = self.config.recv_window
        return DEFAULT_RECV_WINDOW_MS if configured is None else configured

    def sent_of(self, error: OutcomeUnknown, kind: str | None = None) -> SentRepay:
        """What the request behind an OutcomeUnknown signed, for reconciliation."""
        if error.asset is None or error.amount is None or error.timestamp_ms is None:
            raise InvalidInput("this OutcomeUnknown lacks the asset, amount or timestamp")
        window = self.window_of(error.recv_window)
        kind = kind or error.kind or "repay"
        return SentRepay(
            error.asset, error.amount, error.timestamp_ms, window, kind=kind, sent_id=error.sent_id
        )

    def request(
        self,
        asset: str,
        amount: Amount,
        since_ms: int,
        recv_window: int | None = None,
        kind: str = "repay",
    ) -> SentRepay:
        """A repay (or borrow) described by hand (checked like a repay's arguments)."""
        asset, amount_text, window = checked(asset, amount, recv_window)
        if not isinstance(since_ms, int) or isinstance(since_ms, bool) or since_ms <= 0:
            raise InvalidInput("since_ms must be a positive int (ms since the epoch)")
        if kind not in RECORDS_OF_KIND:
            raise InvalidInput(f"kind must be one of {sorted(RECORDS_OF_KIND)}")
        return SentRepay(asset, amount_text, since_ms, self.window_of(window), kind=kind)

    def server_now_low(self, sample: OffsetSample) -> int:
        """The earliest the server's clock can show now, after measuring it with `sample`."""
        return self.clock.now_ms() - uncertainty_ms(sample)

    def settle_delay(self, request: SentRepay, sample: OffsetSample) -> float:
        """Seconds until the server's clock is surely past the request's window."""
        return max(0.0, (request.latest_ms + 1 - self.server_now_low(sample)) / 1000)


def checked(asset: str, amount: Amount, recv_window: int | None) -> tuple[str, str, int | None]:
    """The arguments of a repay or borrow, validated and canonical (InvalidInput if not)."""
    try:
        return _checked_once(asset, amount, recv_window)
    except TypeError:  # an unhashable argument: checked (and refused) without the cache
        return _check(asset, amount, recv_window)


def _check(asset: str, amount: Amount, recv_window: int | None) -> tuple[str, str, int | None]:
    asset = validate_asset(asset)
    amount_text = canonical_amount(amount)
    window = None if recv_window is None else validate_recv_window(recv_window)
    return asset, amount_text, window


# Pure and on every call's path; typed, so True is not taken for 1 nor 1 for "1".
_checked_once = lru_cache(maxsize=1024, typed=True)(_check)


def uncertainty_ms(sample: OffsetSample) -> int:
    """How far `clock.now_ms()` can be from the server's clock after `sample`: half the round
    trip, plus 1 ms each for the server's whole-ms reading, our rounding and our floor."""
    return math.ceil(sample.rtt_ms / 2) + 3


def _stamped(context: SendContext, request: httpx.Request | None) -> SendContext:
    stamp = None if request is None else stamp_of(request)
    return context.with_timestamp(None if stamp is None else stamp.timestamp_ms)


def _request_of(error: httpx.HTTPError) -> httpx.Request | None:
    try:
        return error.request
    except RuntimeError:  # raised before a request existed
        return None


def _local_copy(
    original: Banned | RateLimited | None, kind: type[Banned] | type[RateLimited], wait: float
) -> Banned | RateLimited:
    """The remembered 418/429 raised again, locally: nothing was sent."""
    what = "banned" if kind is Banned else "rate limited"
    return kind(
        f"not sent: the server {what} this IP; {wait:.3g} s left",
        status=None if original is None else original.status,
        code=None if original is None else original.code,
        msg=None if original is None else original.msg,
        headers=None if original is None else original.headers,
        sent=False,
        retry_after=wait,
    )
