"""The safe repay, written once and without I/O: generators that yield effects (`effects`).

    repay:      admission -> pick the timestamp -> register the send (write-ahead) -> send ->
                classify the answer (once, from the response) -> retry what provably did not
                execute (`retry_policy`), re-syncing the clock after -1021 -> result; an
                unknown outcome is raised at once and its send stays open
    reconcile:  measure the server's clock -> wait until the request can no longer execute and
                its record must be shown -> measure again -> read every page of its window ->
                read the journal again -> verdict (`reconcile`)
    sync_clock: admission -> the clock measurement (`signer.clock.measurement`)

Admission: a 418 or 429 the server announced blocks every send locally until its Retry-After
(waiting when that is short, raising when long); with `pace`, a send waits until its weight
fits the budget (`pacing`). `RepayClient` and `AsyncRepayClient` only perform the effects.
"""

from __future__ import annotations

import json
import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import SplitResult, urlsplit

from auth_plugin.client.defaults import DEFAULT_PORTS
from auth_plugin.safe.answers import NoReply
from auth_plugin.safe.classify import (
    About,
    ReadRequest,
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
    CONFIRMED,
    DEFAULT_RECV_WINDOW_MS,
    FAILED,
    MAX_RECV_WINDOW_MS,
    PAGE_SIZE,
    GroupResult,
    LoanRequest,
    Reading,
    ReconcileResult,
    RecordWalk,
    Verdict,
    group_window,
    groups_of,
    judge,
    judge_group,
)
from auth_plugin.safe.results import (
    BorrowResult,
    Confirmation,
    Debt,
    Executed,
    RepayAllResult,
    RepayResult,
)
from auth_plugin.safe.retry_policy import DEFAULT_BAN_SECONDS
from auth_plugin.safe.sends import SendLedger, new_sent_id
from auth_plugin.signer.clock import OffsetSample, measurement
from auth_plugin.signer.validation import canonical_amount, validate_asset, validate_recv_window

T = TypeVar("T")
R = TypeVar("R", bound=Executed)
Flow = Generator[Effect, Any, T]
Amount = Decimal | int | str

CLOCK_SAMPLES = 3
# A repay's (or borrow's) recvWindow when neither the call nor the client sets one. It is how
# long after signing the request can still execute: how long a leaked copy (a logged URL) can
# be replayed, plus the 1000 ms the server accepts ahead, and it sets the reconciliation's wait.
# 2000 ms still covers a trip to Binance (well under a second) plus the clock's measured
# uncertainty; a window too short for the network is a -1021, which provably did not execute,
# and is re-synced and retried once.
REPAY_RECV_WINDOW_MS = 2000
# Reads are idempotent: a short recvWindow chosen for repays would only make them fail (-1021).
READ_RECV_WINDOW_MS = DEFAULT_RECV_WINDOW_MS
# A wait that a fresh measurement shows was too short (the clock stepped) is waited again,
# this many times in all, before the verdict says "unknown".
MAX_WAITS = 3
# Every reconciling method waits until a verdict can be had unless told not to (wait=False).
RECONCILE_WAITS = True
CONFIRM_FIRST_WAIT = 0.5
CONFIRM_MAX_WAIT = 5.0


@dataclass(frozen=True, slots=True)
class Answer:
    """One send's usable answer: the parsed value, and what it cost."""

    value: Any
    attempts: int
    weight: int | None
    timestamp_ms: int


class SafeFlow:
    """The state one client keeps between calls (clock, weight budget, bans, its sends) and
    the flows over it."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.retry = config.retry
        self.margins = config.margins
        self.monotonic = config.monotonic
        self.budget = WeightBudget(
            config.weight_limit, config.window_seconds, monotonic=config.monotonic
        )
        self.time_url = config.effective_time_url
        self.sends = SendLedger(journal=config.journal, margins=config.margins)
        self.calibration: OffsetSample | None = None
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
        params["recv_window"] = READ_RECV_WINDOW_MS
        answer = yield from self._send(BALANCE, params)
        return {
            b.asset: Debt(
                b.asset,
                Decimal(b.cross_margin_borrowed),
                Decimal(b.cross_margin_interest),
                Decimal(b.cross_margin_free),
            )
            for b in answer.value
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
        applied = self.window_of(window)
        params: dict[str, Any] = {"asset": asset, "amount": amount_text, "recv_window": applied}
        answer = yield from self._send(endpoint, params)
        return result(
            answer.value, asset, amount_text, answer.timestamp_ms, answer.weight, answer.attempts
        )

    def confirm(self, done: Executed, within: float) -> Flow[Confirmation]:
        """Read the record of an acknowledged repay (or borrow) by its txId until it is
        CONFIRMED or FAILED, or its waits between reads add up to `within` seconds (then its
        last status, or "not found")."""
        records = RECORDS_OF_KIND["borrow" if isinstance(done, BorrowResult) else "repay"]
        params = {"asset": done.asset, "tx_id": done.tran_id, "recv_window": READ_RECV_WINDOW_MS}
        waited, wait = 0.0, CONFIRM_FIRST_WAIT
        while True:
            answer = yield from self._send(records, params)
            rows, _ = answer.value
            row = next((r for r in rows if r.tx_id == done.tran_id), None)
            status = "NOT_FOUND" if row is None else row.status
            if status in (CONFIRMED, FAILED) or waited + wait > within:
                return Confirmation(done.tran_id, status, row)
            yield Sleep(wait)
            waited += wait
            wait = min(wait * 2, CONFIRM_MAX_WAIT)

    def reconcile(self, request: LoanRequest, *, wait: bool) -> Flow[ReconcileResult]:
        """The verdict on one send (or a hand description: one known send it fits is taken
        for it, with that send's recvWindow)."""
        self.sends.refresh()
        request = self.identify(request)
        walk, reading = yield from self._read_window((request,), wait)
        self.sends.refresh()
        standing = self.sends.standing(request)
        result = judge(
            request,
            walk,
            reading,
            owners=standing.owners,
            rivals=standing.rivals,
            sends_alike=standing.sends_alike,
        )
        self.sends.settle(result, standing.identity)
        return result

    def reconcile_unresolved(
        self, kind: str | None = None, asset: str | None = None, amount: Amount | None = None
    ) -> Flow[tuple[GroupResult, ...]]:
        """Every open send (of this kind, asset and amount, if given), reconciled in groups of
        alike sends whose windows overlap: each group settled as "k of n executed", or left
        ambiguous or unknown."""
        self.sends.refresh()
        wanted = None if amount is None else Decimal(canonical_amount(amount))
        sends = [
            s
            for s in self.sends.unresolved()
            if (kind is None or s.kind == kind)
            and (asset is None or s.asset == asset)
            and (wanted is None or Decimal(s.amount) == wanted)
        ]
        results = []
        for group in groups_of(sends, self.margins):
            walk, reading = yield from self._read_window(group, True)
            self.sends.refresh()
            ids = {s.sent_id for s in group}
            late = [
                s
                for s in self.sends.unresolved()
                if s.sent_id not in ids
                and s.alike(group[0])
                and s.window(self.margins).overlaps(reading.window)
            ]
            owners = {
                t: tuple(s for s in claims if s.sent_id not in ids)
                for t, claims in self.sends.owners().items()
            }
            result = judge_group(group, walk, reading, owners=owners)
            if late and result.verdict is Verdict.SETTLED:
                result = GroupResult(
                    Verdict.AMBIGUOUS,
                    group,
                    reason=f"{len(late)} other alike send(s) appeared meanwhile, in flight or "
                    "of unknown outcome",
                    reading=reading,
                )
            self.sends.settle_group(result)
            results.append(result)
        return tuple(results)

    def _read_window(
        self, sends: Sequence[LoanRequest], wait: bool
    ) -> Flow[tuple[RecordWalk, Reading]]:
        """Measure the server's clock, wait (if `wait`) until every record the sends can have
        must be shown, measure again, then read every page of their window."""
        window = group_window(sends, self.margins)
        shown_by = self.margins.shown_by(window)
        sample = yield from self.sync_clock()
        for _ in range(MAX_WAITS):
            low = self.server_now_low(sample)
            if low > shown_by or not wait:
                break
            yield Sleep((shown_by + 1 - low) / 1000)
            sample = yield from self.sync_clock()  # a clock that stepped meanwhile shows here
        reading = Reading(
            window,
            self.margins,
            self.server_now_low(sample),
            self.clock_description(),
            self.stepped_back(sends, sample),
            any(sent.offset_ms is None for sent in sends),
        )
        walk = RecordWalk()
        records = RECORDS_OF_KIND[sends[0].kind]
        while (page := walk.next_page()) is not None:
            params = {
                "asset": sends[0].asset,
                "start_time": window.first,
                "end_time": window.last,
                "current": page,
                "size": PAGE_SIZE,
                "recv_window": READ_RECV_WINDOW_MS,
            }
            answer = yield from self._send(records, params)
            rows, total = answer.value
            walk.add(rows, total)
        return walk, reading

    def sync_clock(self) -> Flow[OffsetSample]:
        send = yield from self._admit(TIME_PATH_WEIGHT * CLOCK_SAMPLES)
        try:
            best = yield from measurement(self.time_url, CLOCK_SAMPLES)
        finally:
            self.budget.settle(send, None)
        self.clock.offset_ms = best.offset_ms
        self.calibration = best
        return best

    # -- one call, with its retries -----------------------------------------------------------

    def _send(self, endpoint: Endpoint[T], params: dict[str, Any]) -> Flow[Answer]:
        resynced = False
        attempt = 1
        while True:
            try:
                value, weight, timestamp = yield from self._once(endpoint, params)
                return Answer(value, attempt, weight, timestamp)
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
        self, endpoint: Endpoint[T], params: dict[str, Any]
    ) -> Flow[tuple[T, int | None, int]]:
        send, wait = self.admission(endpoint.weight)
        if send is None:  # wait for the budget (the usual case needs no generator for it)
            yield Sleep(wait)
            send = yield from self._admit(endpoint.weight)
        timestamp = self.clock.now_ms()
        sent = None
        try:
            if not endpoint.idempotent:  # moves money: registered before it leaves
                sent = self.sends.register(self.loan_request(endpoint.name, params, timestamp))
            answer = yield Call(endpoint, params, timestamp)
        except BaseException:  # not sent, or interrupted (cancelled) with the request perhaps out
            self.budget.settle(send, None)
            raise
        what: About = ReadRequest(endpoint.name, timestamp) if sent is None else sent
        if isinstance(answer, NoReply):
            self.budget.settle(send, None)
            raise self.outcome(error_from_transport(answer, what), sent)
        weight = used_weight(answer.headers)
        self.budget.settle(send, weight)
        if answer.status != 200:
            error = error_from_response(answer.status, answer.headers, answer.body, what)
            raise self.outcome(self.learn(error), sent)
        try:
            value = endpoint.parse(json.loads(answer.body.decode()))
        except ValueError as unusable:  # an UnusableAnswer, or JSON that isn't
            reason = f"HTTP 200, but {unusable}"
            error = outcome_unknown(what, reason, status=200, headers=answer.headers)
            raise self.outcome(error, sent) from None
        if sent is not None:
            self.sends.acknowledged(sent, value)  # type: ignore[arg-type]
        return value, weight, timestamp

    def outcome(self, error: PapiError, sent: LoanRequest | None) -> PapiError:
        """`error`, with what it establishes about the send `sent` (a money-moving one)."""
        if sent is None:
            return error
        if isinstance(error, OutcomeUnknown):
            error.say_when_judged(self.margins)
        elif error.executed is False:
            self.sends.refused(sent)
        return error

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
        """The recvWindow a money-moving send carries: the call's, the client's, or
        REPAY_RECV_WINDOW_MS."""
        if recv_window is not None:
            return recv_window
        configured = self.config.recv_window
        return REPAY_RECV_WINDOW_MS if configured is None else configured

    def loan_request(self, kind: str, params: dict[str, Any], timestamp: int) -> LoanRequest:
        """The record of a money-moving send about to be signed with `timestamp`."""
        calibration = self.calibration
        measured = calibration is not None and calibration.offset_ms == self.clock.offset_ms
        return LoanRequest(
            params["asset"],
            params["amount"],
            timestamp,
            params["recv_window"],
            kind,
            new_sent_id(),
            self.clock.offset_ms if measured else None,
            uncertainty_ms(calibration) if measured and calibration is not None else None,
        )

    def sent_of(self, error: OutcomeUnknown) -> LoanRequest:
        """The send behind an OutcomeUnknown, for reconciliation."""
        if error.request is None:
            raise InvalidInput("this OutcomeUnknown is not of a send that moves money")
        return error.request

    def request(
        self,
        asset: str,
        amount: Amount,
        since_ms: int,
        recv_window: int | None = None,
        kind: str = "repay",
    ) -> LoanRequest:
        """A repay (or borrow) described by hand (checked like a repay's arguments). Without
        `recv_window`, the largest the server allows is assumed."""
        asset, amount_text, window = checked(asset, amount, recv_window)
        if not isinstance(since_ms, int) or isinstance(since_ms, bool) or since_ms <= 0:
            raise InvalidInput("since_ms must be a positive int (ms since the epoch)")
        if kind not in RECORDS_OF_KIND:
            raise InvalidInput(f"kind must be one of {sorted(RECORDS_OF_KIND)}")
        claimed = MAX_RECV_WINDOW_MS if window is None else window
        return LoanRequest(asset, amount_text, since_ms, claimed, kind=kind)

    def identify(self, request: LoanRequest) -> LoanRequest:
        """A hand description that fits exactly one known send: that send."""
        if request.sent_id is None:
            fitting = self.sends.find(request)
            if len(fitting) == 1:
                return fitting[0]
        return request

    def server_now_low(self, sample: OffsetSample) -> int:
        """The earliest the server's clock can show now, after measuring it with `sample`."""
        return self.clock.now_ms() - uncertainty_ms(sample)

    def clock_description(self) -> str:
        base, timer = urlsplit(self.config.base_url), urlsplit(self.time_url)
        if _host_and_port(timer) == _host_and_port(base):
            return self.time_url
        return f"{self.time_url} (assumed to keep {base.hostname}'s time)"

    def stepped_back(self, sends: Sequence[LoanRequest], sample: OffsetSample) -> str:
        """Why the server's clock is known to have stepped back since a send ("" if not)."""
        now_uncertainty = uncertainty_ms(sample)
        for sent in sends:
            if sent.offset_ms is None or sent.uncertainty_ms is None:
                continue
            drop = sent.offset_ms - sample.offset_ms
            if drop > sent.uncertainty_ms + now_uncertainty:
                return (
                    f"the server's clock (as measured at {self.time_url}) stepped back about "
                    f"{drop} ms since the send at {sent.timestamp_ms}: its window can't be "
                    "judged closed"
                )
        return ""


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


def _host_and_port(url: SplitResult) -> tuple[str | None, int | None]:
    return url.hostname, url.port or DEFAULT_PORTS.get(url.scheme)


def uncertainty_ms(sample: OffsetSample) -> int:
    """How far `clock.now_ms()` can be from the server's clock after `sample`: half the round
    trip, plus 1 ms each for the server's whole-ms reading, our rounding and our floor."""
    return math.ceil(sample.rtt_ms / 2) + 3


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
