"""`RepayClient`: the safe flow (`flow`), performed with `httpx.Client` and `time.sleep`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Self

import httpx

from auth_plugin.client.query_folding import QueryFoldingClient
from auth_plugin.safe.client_base import ClientBase, T
from auth_plugin.safe.effects import Call, Effect, Sleep
from auth_plugin.safe.errors import OutcomeUnknown
from auth_plugin.safe.flow import RECONCILE_WAITS, Amount, Flow
from auth_plugin.safe.reconcile import GroupResult, LoanRequest, ReconcileResult
from auth_plugin.safe.results import (
    BorrowResult,
    Confirmation,
    Debt,
    RepayAllResult,
    RepayResult,
)
from auth_plugin.safe.wire import no_reply, reply, request_kwargs
from auth_plugin.signer.clock import OffsetSample, ReadServerTime, read_time


class RepayClient(ClientBase):
    """Repays and reconciles through one pooled, signing connection to `base_url`.

        with RepayClient("https://papi.binance.com") as client:  # credentials from env vars
            try:
                result = client.repay("BTC", "0.01")  # RepayResult(tran_id=...)
            except OutcomeUnknown as error:
                verdict = client.reconcile_outcome(error)  # a ReconcileResult
                if verdict.verdict is Verdict.EXECUTED: ...

    Keyword arguments are `ClientConfig` fields (`sleep` among them, injectable for tests).
    """

    def repay(self, asset: str, amount: Amount, recv_window: int | None = None) -> RepayResult:
        """Repay `amount` of `asset`'s margin loan; the tranId and used weight on success."""
        return self._run(self.flow.repay(asset, amount, recv_window))

    def reconcile_outcome(
        self, error: OutcomeUnknown, *, wait: bool = RECONCILE_WAITS
    ) -> ReconcileResult:
        """The verdict on the send behind `error` (see `reconcile_sent`):
        `result.verdict is Verdict.EXECUTED`, `NOT_EXECUTED`, `PENDING`, `AMBIGUOUS` or
        `UNKNOWN`; `str(result)` says what it rests on."""
        return self.reconcile_sent(self.request_of(error), wait=wait)

    def reconcile_sent(
        self, request: LoanRequest, *, wait: bool = RECONCILE_WAITS
    ) -> ReconcileResult:
        """The verdict on `request`: measures the server's clock, with `wait` waits until the
        request can no longer execute and its record must be shown (`ClientConfig.margins`),
        measures again, then reads every page of its window in the records. Without `wait`
        an open window gives "unknown"."""
        return self._run(self.flow.reconcile(request, wait=wait))

    def reconcile(
        self,
        asset: str,
        amount: Amount,
        since_ms: int,
        recv_window: int | None = None,
        *,
        wait: bool = RECONCILE_WAITS,
    ) -> ReconcileResult:
        """The verdict on a repay of `amount` `asset` signed with timestamp `since_ms` (and
        `recv_window`: without it, the largest the server allows is assumed, unless a known
        send fits the description, whose own is used)."""
        request = self.flow.request(asset, amount, since_ms, recv_window)
        return self.reconcile_sent(request, wait=wait)

    def reconcile_unresolved(
        self, kind: str | None = None, asset: str | None = None, amount: Amount | None = None
    ) -> tuple[GroupResult, ...]:
        """Every unresolved send (of this kind, asset and amount, if given), reconciled in
        groups of alike sends whose windows overlap: "k of n executed" settles a whole group;
        a group stays "ambiguous" when the records can't be shared out among its sends."""
        return self._run(self.flow.reconcile_unresolved(kind, asset, amount))

    def confirm(self, done: RepayResult | BorrowResult, within: float = 30.0) -> Confirmation:
        """Read the record of an acknowledged repay (or borrow) by its txId until it is
        CONFIRMED or FAILED, or `within` seconds have passed: a 200 means accepted, and the
        record can still end FAILED."""
        return self._run(self.flow.confirm(done, within))

    def borrow(self, asset: str, amount: Amount, recv_window: int | None = None) -> BorrowResult:
        """Borrow `amount` of `asset` (never resent after an unknown outcome)."""
        return self._run(self.flow.borrow(asset, amount, recv_window))

    def debt(self, asset: str | None = None) -> dict[str, Debt]:
        """What each asset owes (one asset, if named): principal, interest, total, free."""
        return self._run(self.flow.debt(asset))

    def repay_all(
        self, asset: str, *, cap: bool = False, before: Debt | None = None
    ) -> RepayAllResult:
        """Repay principal + interest as read, with one repay; then say what is left."""
        return self._run(self.flow.repay_all(asset, cap=cap, before=before))

    def sync_clock(self) -> OffsetSample:
        """Measure the clock offset against the time endpoint now; the best sample."""
        return self._run(self.flow.sync_clock())

    def close(self) -> None:
        self._http.close()
        if self._time_http is not None:
            self._time_http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _default_sleep(self) -> Callable[[float], Any]:
        return time.sleep

    def _open(self) -> None:
        self._http = QueryFoldingClient(**self._http_settings)
        self.generated.set_httpx_client(self._http)
        self._time_http: httpx.Client | None = None

    def _run(self, flow: Flow[T]) -> T:
        try:
            done, item = self._first(flow)
            while not done:
                try:
                    value, error = self._perform(item), None
                except BaseException as exc:  # the flow decides what an interruption means
                    value, error = None, exc
                done, item = self._advance(flow, value, error)
            result: T = item
            return result
        finally:
            flow.close()  # a flow left mid-way (an error here) runs its cleanup now

    def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Call):
            request = self._http.build_request(**request_kwargs(effect))
            try:
                response = self._http.send(request)
            except httpx.HTTPError as failure:
                return no_reply(failure)
            return reply(response)
        if isinstance(effect, Sleep):
            return self._sleep(effect.seconds)
        if not isinstance(effect, ReadServerTime):
            raise TypeError(f"a flow yielded {effect!r}, which is not an effect")
        self._time_http = self._time_http or httpx.Client(**self._time_settings())
        return read_time(self._time_http, effect.path, self.clock.source)
