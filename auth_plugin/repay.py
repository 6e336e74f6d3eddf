"""The safe repay layer: `RepayClient` (sync) and `AsyncRepayClient` over the generated client.

    with RepayClient("https://papi.binance.com") as client:   # credentials from env vars
        try:
            result = client.repay("BTC", "0.01")                 # RepayResult(tran_id=...)
        except OutcomeUnknown as error:
            print(client.reconcile_outcome(error))               # "executed (txId ...)"

Inputs are checked before anything is sent (a float amount is refused). Failures become one
of the `PapiError` family (see `errors`), retries follow `retry_policy` (never after an unknown
outcome), a 418 blocks every later send until its Retry-After, and with `pace=True` calls wait
so the IP weight limit is never crossed (see `pacing`). Both clients share one connection pool
each, with trading timeouts (`client_factory.trading_timeout`); close them or use `with`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from auth_plugin.client_factory import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    build_client,
    trading_timeout,
)
from auth_plugin.clock import DEFAULT_TIME_PATH, Clock, OffsetSample
from auth_plugin.credentials import Credentials
from auth_plugin.errors import (
    Banned,
    ClockSyncError,
    InvalidInput,
    OutcomeUnknown,
    PapiError,
    RateLimited,
)
from auth_plugin.http_errors import (
    SendContext,
    error_from_response,
    error_from_transport,
    outcome_unknown,
    used_weight,
)
from auth_plugin.pacing import (
    DEFAULT_WEIGHT_LIMIT,
    DEFAULT_WINDOW_SECONDS,
    RECORDS_WEIGHT,
    REPAY_WEIGHT,
    TIME_WEIGHT,
    Send,
    WeightBudget,
)
from auth_plugin.reconcile import (
    DEFAULT_RECV_WINDOW_MS,
    PAGE_SIZE,
    ReconcileResult,
    RecordWalk,
    RepayRecord,
    SentRepay,
    TranIdLedger,
    judge,
)
from auth_plugin.retry_policy import DEFAULT_BAN_SECONDS, RetryPolicy
from auth_plugin.validation import canonical_amount, validate_asset, validate_recv_window
from auth_plugin.wire_capture import Exchange, ainstall, capturing, install
from papi_repay_client import AuthenticatedClient
from papi_repay_client.api.margin import query_repay_records, repay_loan
from papi_repay_client.errors import UnexpectedStatus
from papi_repay_client.models import RepayLoanResponse, RepayRecordPage
from papi_repay_client.types import UNSET, Response, Unset

PRODUCTION_BASE_URL = "https://papi.binance.com"
PRODUCTION_TIME_URL = "https://api.binance.com/api/v3/time"
CLOCK_SAMPLES = 3
# Reads are idempotent: a short recvWindow chosen for repays would only make them fail (-1021).
READ_RECV_WINDOW_MS = DEFAULT_RECV_WINDOW_MS

T = TypeVar("T")
Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]

# What the generated parsers raise on a body they can't read (HTML, missing field, a status
# HTTPStatus doesn't know); the raw answer is then taken from the captured exchange.
_PARSE_FAILURES = (UnexpectedStatus, ValueError, KeyError, TypeError, AttributeError)


def default_time_url(base_url: str) -> str:
    """Binance's spot time endpoint for production; `{base_url}/api/v3/time` otherwise."""
    base = base_url.rstrip("/")
    return PRODUCTION_TIME_URL if base == PRODUCTION_BASE_URL else base + DEFAULT_TIME_PATH


@dataclass(frozen=True, slots=True)
class RepayResult:
    """An executed repay."""

    tran_id: int
    asset: str
    amount: str  # canonical decimal text, as sent
    timestamp_ms: int | None  # the signed timestamp of the request that succeeded
    used_weight: int | None  # X-MBX-USED-WEIGHT-1M of the answer
    attempts: int  # sends it took (retries included)


class _Core:
    """Everything the two clients share except I/O and sleeping."""

    def __init__(
        self,
        *,
        clock: Clock,
        recv_window: int | None,
        retry: RetryPolicy,
        pace: bool,
        budget: WeightBudget,
        monotonic: Callable[[], float],
    ) -> None:
        self.clock = clock
        self.recv_window = recv_window
        self.retry = retry
        self.pace = pace
        self.budget = budget
        self.monotonic = monotonic
        self.banned_until = 0.0
        self.ban: Banned | None = None
        self.limited_until = 0.0
        self.rate_limit: RateLimited | None = None
        self.tran_ids = TranIdLedger()

    # -- inputs ---------------------------------------------------------------------------

    @staticmethod
    def checked(
        asset: str, amount: Decimal | int | str, recv_window: int | None
    ) -> tuple[str, str, int | None]:
        asset = validate_asset(asset)
        amount_text = canonical_amount(amount)
        window = None if recv_window is None else validate_recv_window(recv_window)
        return asset, amount_text, window

    def window_of(self, recv_window: int | None) -> int:
        """The recvWindow the server applies: the call's, the client's, or its default."""
        if recv_window is not None:
            return recv_window
        return DEFAULT_RECV_WINDOW_MS if self.recv_window is None else self.recv_window

    # -- before and after each send -------------------------------------------------------

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
        if self.pace:
            return self.budget.try_reserve(weight)
        return self.budget.record(weight), 0.0

    def settle(self, send: Send, exchange: Exchange) -> None:
        response = exchange.response
        self.budget.settle(send, None if response is None else used_weight(response.headers))

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

    # -- reading answers ------------------------------------------------------------------

    def repay_result(
        self,
        response: Response[Any] | None,
        exchange: Exchange,
        context: SendContext,
        attempts: int,
    ) -> RepayResult:
        parsed = None if response is None else response.parsed
        raw = exchange.response
        if (
            raw is not None
            and raw.status_code == 200
            and isinstance(parsed, RepayLoanResponse)
            and _is_int(parsed.tran_id)
        ):
            if context.timestamp_ms is not None:
                request = SentRepay(context.asset, context.amount or "", context.timestamp_ms, 0)
                self.tran_ids.executed(parsed.tran_id, request)
            else:
                self.tran_ids.executed(parsed.tran_id)
            return RepayResult(
                tran_id=parsed.tran_id,
                asset=context.asset,
                amount=context.amount or "",
                timestamp_ms=context.timestamp_ms,
                used_weight=used_weight(raw.headers),
                attempts=attempts,
            )
        raise self._failure(raw, context)

    def record_rows(
        self, response: Response[Any] | None, exchange: Exchange, context: SendContext
    ) -> tuple[list[RepayRecord], int]:
        parsed = None if response is None else response.parsed
        raw = exchange.response
        if raw is not None and raw.status_code == 200 and isinstance(parsed, RepayRecordPage):
            rows = [
                RepayRecord(r.tx_id, r.asset, r.amount, str(r.status), r.timestamp)
                for r in parsed.rows
            ]
            return rows, parsed.total
        raise self._failure(raw, context)

    def _failure(self, raw: httpx.Response | None, context: SendContext) -> PapiError:
        if raw is None:  # the generated call returned without our hook seeing an answer
            return outcome_unknown(context, "the answer could not be read")
        try:
            content = raw.content
        except httpx.ResponseNotRead:  # the body was never read (the generated call failed first)
            content = b""
        return self.learn(error_from_response(raw.status_code, raw.headers, content, context))

    def judged(self, request: SentRepay, walk: RecordWalk, read_from_ms: int) -> ReconcileResult:
        """The verdict, learnt from: `read_from_ms` is the earliest the server's clock can
        have shown when the first page was read."""
        result = judge(
            request,
            walk,
            window_closed=read_from_ms > request.latest_ms,
            known_elsewhere=self.tran_ids.not_for(request),
            unresolved=self.tran_ids.unresolved(),
        )
        self.tran_ids.settle(result)
        return result

    def sent_of(self, error: OutcomeUnknown) -> SentRepay:
        """What the request behind an OutcomeUnknown signed, for reconciliation."""
        if error.asset is None or error.amount is None or error.timestamp_ms is None:
            raise InvalidInput("this OutcomeUnknown lacks the asset, amount or timestamp")
        return SentRepay(
            error.asset, error.amount, error.timestamp_ms, self.window_of(error.recv_window)
        )

    def unknown_outcome(self, error: OutcomeUnknown) -> None:
        """Remember a repay whose outcome is unknown: it may own a record in a later window."""
        if error.timestamp_ms is not None:
            self.tran_ids.unknown(self.sent_of(error))

    def sent_before_answer(self, context: SendContext, exchange: Exchange) -> None:
        """A repay call ended without an answer (cancelled) after its request was signed."""
        timestamp = exchange.timestamp_ms
        if context.operation == "repay" and context.amount and timestamp is not None:
            window = self.window_of(context.recv_window)
            self.tran_ids.unknown(SentRepay(context.asset, context.amount, timestamp, window))

    def server_now_low(self, sample: OffsetSample) -> int:
        """The earliest the server's clock can show now, after measuring it with `sample`."""
        return self.clock.now_ms() - uncertainty_ms(sample)

    def settle_delay(self, request: SentRepay, sample: OffsetSample) -> float:
        """Seconds until the server's clock is surely past the request's window."""
        return max(0.0, (request.latest_ms + 1 - self.server_now_low(sample)) / 1000)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


def uncertainty_ms(sample: OffsetSample) -> int:
    """How far `clock.now_ms()` can be from the server's clock after `sample`: half the round
    trip, plus 1 ms each for the server's whole-ms reading, our rounding and our floor."""
    return math.ceil(sample.rtt_ms / 2) + 3


def _checked_since(since_ms: int) -> int:
    if not _is_int(since_ms) or since_ms <= 0:
        raise InvalidInput("since_ms must be a positive int (ms since the epoch)")
    return since_ms


class _Settings:
    """Constructor arguments shared by both clients, turned into the pieces they need."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        clock: Clock | None,
        recv_window: int | None,
        time_url: str | None,
        connect_timeout: float,
        read_timeout: float,
        retry: RetryPolicy | None,
        pace: bool,
        weight_limit: int,
        window_seconds: float,
        monotonic: Callable[[], float],
        httpx_args: Mapping[str, Any] | None,
        env: Mapping[str, str] | None,
    ) -> None:
        self.clock = clock if clock is not None else Clock()
        self.time_url = time_url if time_url is not None else default_time_url(base_url)
        self.timeout = trading_timeout(connect_timeout, read_timeout)
        self.httpx_args = dict(httpx_args or {})
        self.generated: AuthenticatedClient = build_client(
            base_url,
            credentials,
            clock=self.clock,
            recv_window=recv_window,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            httpx_args=self.httpx_args,
            env=env,
        )
        self.core = _Core(
            clock=self.clock,
            recv_window=recv_window,
            retry=retry if retry is not None else RetryPolicy(),
            pace=pace,
            budget=WeightBudget(weight_limit, window_seconds, monotonic=monotonic),
            monotonic=monotonic,
        )


class RepayClient:
    """Repays and reconciles through one pooled, signing connection to `base_url`.

    Credentials: `credentials`, else environment variables (see `resolve_credentials`).
    `recv_window` is the default for every call. `time_url` is where the clock re-syncs after
    -1021 (default: see `default_time_url`). `retry` is the retry budget (see `retry_policy`).
    `pace=True` spaces calls to stay under `weight_limit` per `window_seconds`. `sleep` and
    `monotonic` are injectable for tests. `httpx_args` go to the httpx clients (e.g. a
    `transport`).
    """

    def __init__(
        self,
        base_url: str = PRODUCTION_BASE_URL,
        credentials: Credentials | None = None,
        *,
        clock: Clock | None = None,
        recv_window: int | None = None,
        time_url: str | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retry: RetryPolicy | None = None,
        pace: bool = False,
        weight_limit: int = DEFAULT_WEIGHT_LIMIT,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        httpx_args: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        settings = _Settings(
            base_url, credentials, clock, recv_window, time_url, connect_timeout, read_timeout,
            retry, pace, weight_limit, window_seconds, monotonic, httpx_args, env,
        )  # fmt: skip
        self._settings = settings
        self._core = settings.core
        self._generated = settings.generated
        self._http = self._generated.get_httpx_client()
        install(self._http)
        self._time_http: httpx.Client | None = None
        self._sleep = sleep

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def used_weight(self) -> int | None:
        """The latest X-MBX-USED-WEIGHT-1M seen."""
        return self._core.budget.last_used_weight

    @property
    def budget(self) -> WeightBudget:
        return self._core.budget

    def repay(
        self, asset: str, amount: Decimal | int | str, recv_window: int | None = None
    ) -> RepayResult:
        """Repay `amount` of `asset`'s margin loan; the tranId and used weight on success."""
        asset, amount_text, window = self._core.checked(asset, amount, recv_window)
        context = SendContext("repay", asset, amount_text, None, self._core.window_of(window))
        try:
            return self._with_retries(partial(self._repay_once, context, window), idempotent=False)
        except OutcomeUnknown as error:
            self._core.unknown_outcome(error)
            raise

    def reconcile(
        self,
        asset: str,
        amount: Decimal | int | str,
        since_ms: int,
        recv_window: int | None = None,
        *,
        settle: bool = False,
    ) -> ReconcileResult:
        """The verdict on a repay of `amount` `asset` signed with timestamp `since_ms` (and
        `recv_window`), from the repay records; see `reconcile.Verdict`."""
        asset, amount_text, window = self._core.checked(asset, amount, recv_window)
        since_ms = _checked_since(since_ms)
        request = SentRepay(asset, amount_text, since_ms, self._core.window_of(window))
        return self.reconcile_sent(request, settle=settle)

    def reconcile_outcome(self, error: OutcomeUnknown, *, settle: bool = True) -> ReconcileResult:
        """The verdict on the request behind `error` (see `reconcile_sent`)."""
        return self.reconcile_sent(self._core.sent_of(error), settle=settle)

    def reconcile_sent(self, request: SentRepay, *, settle: bool = True) -> ReconcileResult:
        """The verdict on `request`. Measures the server's clock first; with `settle`, waits
        until the request can no longer execute (else the verdict may be "unknown")."""
        sample = self.sync_clock()
        if settle and (delay := self._core.settle_delay(request, sample)) > 0:
            self._sleep(delay)
        read_from = self._core.server_now_low(sample)
        walk = RecordWalk()
        while (page := walk.next_page()) is not None:
            found, total = self._with_retries(
                partial(self._records_once, request, page), idempotent=True
            )
            walk.add(found, total)
        return self._core.judged(request, walk, read_from)

    def request_of(self, error: OutcomeUnknown) -> SentRepay:
        """What the request behind `error` signed (InvalidInput if it carries no timestamp)."""
        return self._core.sent_of(error)

    @property
    def tran_ids(self) -> TranIdLedger:
        """What this client knows of its own repays (tranIds received, unknown outcomes)."""
        return self._core.tran_ids

    @property
    def unresolved(self) -> tuple[SentRepay, ...]:
        """Repays sent whose outcome is unknown (OutcomeUnknown, or the call was interrupted
        after signing) and that no verdict has settled yet: pass each to `reconcile_sent`."""
        return self._core.tran_ids.unresolved()

    def sync_clock(self) -> OffsetSample:
        """Measure the clock offset against the time endpoint now; the best sample."""
        send = self._admit(TIME_WEIGHT * CLOCK_SAMPLES)  # nothing is sent while banned
        try:
            return self._core.clock.calibrate(
                self._time_client(), path=self._settings.time_url, samples=CLOCK_SAMPLES
            )
        except httpx.HTTPError as exc:
            raise ClockSyncError(
                f"time endpoint {self._settings.time_url} did not answer ({type(exc).__name__})"
            ) from exc
        finally:
            self._core.budget.settle(send, None)

    def close(self) -> None:
        self._http.close()
        if self._time_http is not None:
            self._time_http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------

    def _with_retries(self, attempt: Callable[[int], T], *, idempotent: bool) -> T:
        resynced = False
        number = 1
        while True:
            try:
                return attempt(number)
            except PapiError as error:
                step = self._core.retry.next_step(
                    error, number, idempotent=idempotent, clock_resynced=resynced
                )
                if step is None:
                    raise
                if step.resync_clock:
                    self.sync_clock()
                    resynced = True
                if step.delay > 0:
                    self._sleep(step.delay)
                number += 1

    def _repay_once(self, context: SendContext, window: int | None, attempt: int) -> RepayResult:
        call = partial(
            repay_loan.sync_detailed,
            client=self._generated,
            asset=context.asset,
            amount=context.amount or "",
            recv_window=_unset_if_none(window),
        )
        response, exchange, context = self._send(REPAY_WEIGHT, context, call)
        return self._core.repay_result(response, exchange, context, attempt)

    def _records_once(
        self, request: SentRepay, page: int, attempt: int
    ) -> tuple[list[RepayRecord], int]:
        context = SendContext("repay-record query", request.asset)
        call = partial(
            query_repay_records.sync_detailed,
            client=self._generated,
            asset=request.asset,
            start_time=request.earliest_ms,
            end_time=request.latest_ms,
            current=page,
            size=PAGE_SIZE,
            recv_window=READ_RECV_WINDOW_MS,
        )
        response, exchange, context = self._send(RECORDS_WEIGHT, context, call)
        return self._core.record_rows(response, exchange, context)

    def _send(
        self, weight: int, context: SendContext, call: Callable[[], Response[Any]]
    ) -> tuple[Response[Any] | None, Exchange, SendContext]:
        send = self._admit(weight)
        sent_at = self._core.clock.now_ms()
        with capturing() as exchange:
            try:
                response: Response[Any] | None = call()
            except httpx.HTTPError as exc:
                context = context.with_timestamp(exchange.timestamp_ms or sent_at)
                raise error_from_transport(exc, context) from exc
            except _PARSE_FAILURES:
                if exchange.response is None:
                    raise
                response = None
            except BaseException:  # interrupted (cancelled, KeyboardInterrupt) after signing?
                self._core.sent_before_answer(context, exchange)
                raise
            finally:
                self._core.settle(send, exchange)
        return response, exchange, context.with_timestamp(exchange.timestamp_ms or sent_at)

    def _admit(self, weight: int) -> Send:
        while True:
            send, wait = self._core.admission(weight)
            if send is not None:
                return send
            self._sleep(wait)

    def _time_client(self) -> httpx.Client:
        if self._time_http is None:
            self._time_http = httpx.Client(
                timeout=self._settings.timeout, **self._settings.httpx_args
            )
        return self._time_http


class AsyncRepayClient:
    """The asyncio form of `RepayClient`: same arguments, `await`ed methods, `async with`."""

    def __init__(
        self,
        base_url: str = PRODUCTION_BASE_URL,
        credentials: Credentials | None = None,
        *,
        clock: Clock | None = None,
        recv_window: int | None = None,
        time_url: str | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retry: RetryPolicy | None = None,
        pace: bool = False,
        weight_limit: int = DEFAULT_WEIGHT_LIMIT,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        sleep: AsyncSleep | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        httpx_args: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        settings = _Settings(
            base_url, credentials, clock, recv_window, time_url, connect_timeout, read_timeout,
            retry, pace, weight_limit, window_seconds, monotonic, httpx_args, env,
        )  # fmt: skip
        self._settings = settings
        self._core = settings.core
        self._generated = settings.generated
        self._http = self._generated.get_async_httpx_client()
        ainstall(self._http)
        self._time_http: httpx.AsyncClient | None = None
        self._sleep: AsyncSleep = sleep if sleep is not None else _asyncio_sleep

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def used_weight(self) -> int | None:
        """The latest X-MBX-USED-WEIGHT-1M seen."""
        return self._core.budget.last_used_weight

    @property
    def budget(self) -> WeightBudget:
        return self._core.budget

    async def repay(
        self, asset: str, amount: Decimal | int | str, recv_window: int | None = None
    ) -> RepayResult:
        """Repay `amount` of `asset`'s margin loan; the tranId and used weight on success."""
        asset, amount_text, window = self._core.checked(asset, amount, recv_window)
        context = SendContext("repay", asset, amount_text, None, self._core.window_of(window))
        try:
            return await self._with_retries(
                partial(self._repay_once, context, window), idempotent=False
            )
        except OutcomeUnknown as error:
            self._core.unknown_outcome(error)
            raise

    async def reconcile(
        self,
        asset: str,
        amount: Decimal | int | str,
        since_ms: int,
        recv_window: int | None = None,
        *,
        settle: bool = False,
    ) -> ReconcileResult:
        """The verdict on a repay of `amount` `asset` signed with timestamp `since_ms` (and
        `recv_window`), from the repay records; see `reconcile.Verdict`."""
        asset, amount_text, window = self._core.checked(asset, amount, recv_window)
        since_ms = _checked_since(since_ms)
        request = SentRepay(asset, amount_text, since_ms, self._core.window_of(window))
        return await self.reconcile_sent(request, settle=settle)

    async def reconcile_outcome(
        self, error: OutcomeUnknown, *, settle: bool = True
    ) -> ReconcileResult:
        """The verdict on the request behind `error` (see `reconcile_sent`)."""
        return await self.reconcile_sent(self._core.sent_of(error), settle=settle)

    async def reconcile_sent(self, request: SentRepay, *, settle: bool = True) -> ReconcileResult:
        """The verdict on `request`. Measures the server's clock first; with `settle`, waits
        until the request can no longer execute (else the verdict may be "unknown")."""
        sample = await self.sync_clock()
        if settle and (delay := self._core.settle_delay(request, sample)) > 0:
            await self._sleep(delay)
        read_from = self._core.server_now_low(sample)
        walk = RecordWalk()
        while (page := walk.next_page()) is not None:
            found, total = await self._with_retries(
                partial(self._records_once, request, page), idempotent=True
            )
            walk.add(found, total)
        return self._core.judged(request, walk, read_from)

    def request_of(self, error: OutcomeUnknown) -> SentRepay:
        """What the request behind `error` signed (InvalidInput if it carries no timestamp)."""
        return self._core.sent_of(error)

    @property
    def tran_ids(self) -> TranIdLedger:
        """What this client knows of its own repays (tranIds received, unknown outcomes)."""
        return self._core.tran_ids

    @property
    def unresolved(self) -> tuple[SentRepay, ...]:
        """Repays sent whose outcome is unknown (OutcomeUnknown, or the call was cancelled
        after signing, e.g. by `asyncio.wait_for`) and that no verdict has settled yet: pass
        each to `reconcile_sent`."""
        return self._core.tran_ids.unresolved()

    async def sync_clock(self) -> OffsetSample:
        """Measure the clock offset against the time endpoint now; the best sample."""
        send = await self._admit(TIME_WEIGHT * CLOCK_SAMPLES)  # nothing is sent while banned
        try:
            return await self._core.clock.acalibrate(
                self._time_client(), path=self._settings.time_url, samples=CLOCK_SAMPLES
            )
        except httpx.HTTPError as exc:
            raise ClockSyncError(
                f"time endpoint {self._settings.time_url} did not answer ({type(exc).__name__})"
            ) from exc
        finally:
            self._core.budget.settle(send, None)

    async def close(self) -> None:
        await self._http.aclose()
        if self._time_http is not None:
            await self._time_http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- internals ------------------------------------------------------------------------

    async def _with_retries(self, attempt: Callable[[int], Awaitable[T]], *, idempotent: bool) -> T:
        resynced = False
        number = 1
        while True:
            try:
                return await attempt(number)
            except PapiError as error:
                step = self._core.retry.next_step(
                    error, number, idempotent=idempotent, clock_resynced=resynced
                )
                if step is None:
                    raise
                if step.resync_clock:
                    await self.sync_clock()
                    resynced = True
                if step.delay > 0:
                    await self._sleep(step.delay)
                number += 1

    async def _repay_once(
        self, context: SendContext, window: int | None, attempt: int
    ) -> RepayResult:
        call = partial(
            repay_loan.asyncio_detailed,
            client=self._generated,
            asset=context.asset,
            amount=context.amount or "",
            recv_window=_unset_if_none(window),
        )
        response, exchange, context = await self._send(REPAY_WEIGHT, context, call)
        return self._core.repay_result(response, exchange, context, attempt)

    async def _records_once(
        self, request: SentRepay, page: int, attempt: int
    ) -> tuple[list[RepayRecord], int]:
        context = SendContext("repay-record query", request.asset)
        call = partial(
            query_repay_records.asyncio_detailed,
            client=self._generated,
            asset=request.asset,
            start_time=request.earliest_ms,
            end_time=request.latest_ms,
            current=page,
            size=PAGE_SIZE,
            recv_window=READ_RECV_WINDOW_MS,
        )
        response, exchange, context = await self._send(RECORDS_WEIGHT, context, call)
        return self._core.record_rows(response, exchange, context)

    async def _send(
        self, weight: int, context: SendContext, call: Callable[[], Awaitable[Response[Any]]]
    ) -> tuple[Response[Any] | None, Exchange, SendContext]:
        send = await self._admit(weight)
        sent_at = self._core.clock.now_ms()
        with capturing() as exchange:
            try:
                response: Response[Any] | None = await call()
            except httpx.HTTPError as exc:
                context = context.with_timestamp(exchange.timestamp_ms or sent_at)
                raise error_from_transport(exc, context) from exc
            except _PARSE_FAILURES:
                if exchange.response is None:
                    raise
                response = None
            except BaseException:  # interrupted (cancelled, KeyboardInterrupt) after signing?
                self._core.sent_before_answer(context, exchange)
                raise
            finally:
                self._core.settle(send, exchange)
        return response, exchange, context.with_timestamp(exchange.timestamp_ms or sent_at)

    async def _admit(self, weight: int) -> Send:
        while True:
            send, wait = self._core.admission(weight)
            if send is not None:
                return send
            await self._sleep(wait)

    def _time_client(self) -> httpx.AsyncClient:
        if self._time_http is None:
            self._time_http = httpx.AsyncClient(
                timeout=self._settings.timeout, **self._settings.httpx_args
            )
        return self._time_http


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio  # only async users pay for importing asyncio

    await asyncio.sleep(seconds)


def _unset_if_none(value: int | None) -> int | Unset:
    return UNSET if value is None else value


__all__ = [
    "PRODUCTION_BASE_URL",
    "PRODUCTION_TIME_URL",
    "AsyncRepayClient",
    "RepayClient",
    "RepayResult",
    "default_time_url",
]
