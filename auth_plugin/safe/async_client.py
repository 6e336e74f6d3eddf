"""`AsyncRepayClient`: the safe flow (`flow`), performed with `httpx.AsyncClient` and
`asyncio.sleep`. A repay cancelled while its request may be out (e.g. by `asyncio.wait_for`)
stays in `client.unresolved`: pass it to `await client.reconcile_sent(request)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import httpx

from auth_plugin.client.query_folding import AsyncQueryFoldingClient
from auth_plugin.safe.client_base import ClientBase, T
from auth_plugin.safe.effects import Call, Effect, Sleep, asyncio_sleep
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
from auth_plugin.signer.clock import OffsetSample, ReadServerTime, aread_time


class AsyncRepayClient(ClientBase):
    """The asyncio form of `RepayClient` (see its methods): awaited, `async with`."""

    async def repay(
        self, asset: str, amount: Amount, recv_window: int | None = None
    ) -> RepayResult:
        return await self._run(self.flow.repay(asset, amount, recv_window))

    async def reconcile_outcome(
        self, error: OutcomeUnknown, *, wait: bool = RECONCILE_WAITS
    ) -> ReconcileResult:
        return await self.reconcile_sent(self.request_of(error), wait=wait)

    async def reconcile_sent(
        self, request: LoanRequest, *, wait: bool = RECONCILE_WAITS
    ) -> ReconcileResult:
        return await self._run(self.flow.reconcile(request, wait=wait))

    async def reconcile(
        self,
        asset: str,
        amount: Amount,
        since_ms: int,
        recv_window: int | None = None,
        *,
        wait: bool = RECONCILE_WAITS,
    ) -> ReconcileResult:
        request = self.flow.request(asset, amount, since_ms, recv_window)
        return await self.reconcile_sent(request, wait=wait)

    async def reconcile_unresolved(
        self, kind: str | None = None, asset: str | None = None, amount: Amount | None = None
    ) -> tuple[GroupResult, ...]:
        return await self._run(self.flow.reconcile_unresolved(kind, asset, amount))

    async def confirm(self, done: RepayResult | BorrowResult, within: float = 30.0) -> Confirmation:
        return await self._run(self.flow.confirm(done, within))

    async def borrow(
        self, asset: str, amount: Amount, recv_window: int | None = None
    ) -> BorrowResult:
        return await self._run(self.flow.borrow(asset, amount, recv_window))

    async def debt(self, asset: str | None = None) -> dict[str, Debt]:
        return await self._run(self.flow.debt(asset))

    async def repay_all(
        self, asset: str, *, cap: bool = False, before: Debt | None = None
    ) -> RepayAllResult:
        return await self._run(self.flow.repay_all(asset, cap=cap, before=before))

    async def sync_clock(self) -> OffsetSample:
        return await self._run(self.flow.sync_clock())

    async def close(self) -> None:
        await self._http.aclose()
        if self._time_http is not None:
            await self._time_http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _default_sleep(self) -> Callable[[float], Any]:
        return asyncio_sleep

    def _open(self) -> None:
        self._http = AsyncQueryFoldingClient(**self._http_settings)
        self.generated.set_async_httpx_client(self._http)
        self._time_http: httpx.AsyncClient | None = None

    async def _run(self, flow: Flow[T]) -> T:
        try:
            done, item = self._first(flow)
            while not done:
                try:
                    value, error = await self._perform(item), None
                except BaseException as exc:  # cancelled: the flow records what may be out
                    value, error = None, exc
                done, item = self._advance(flow, value, error)
            result: T = item
            return result
        finally:
            flow.close()  # a flow left mid-way (an error here) runs its cleanup now

    async def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Call):
            request = self._http.build_request(**request_kwargs(effect))
            try:
                response = await self._http.send(request)
            except httpx.HTTPError as failure:
                return no_reply(failure)
            return reply(response)
        if isinstance(effect, Sleep):
            return await self._sleep(effect.seconds)
        if not isinstance(effect, ReadServerTime):
            raise TypeError(f"a flow yielded {effect!r}, which is not an effect")
        self._time_http = self._time_http or httpx.AsyncClient(**self._time_settings())
        return await aread_time(self._time_http, effect.path, self.clock.source)
