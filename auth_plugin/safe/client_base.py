"""What `RepayClient` and `AsyncRepayClient` share: the flow state, the generated client, and
the stepping of a flow. Only performing an effect differs between them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

import httpx

from auth_plugin.client.defaults import PRODUCTION_BASE_URL
from auth_plugin.client.factory import prepare_client, trading_timeout
from auth_plugin.safe.config import ClientConfig
from auth_plugin.safe.effects import Delivered
from auth_plugin.safe.errors import OutcomeUnknown
from auth_plugin.safe.flow import Amount, SafeFlow
from auth_plugin.safe.pacing import WeightBudget
from auth_plugin.safe.reconcile import SentRepay, TranIdLedger
from auth_plugin.signer.clock import Clock
from auth_plugin.signer.credentials import Credentials, resolve_credentials

T = TypeVar("T")
Verdict = TypeVar("Verdict")  # a ReconcileResult, or an awaitable of one


class ClientBase(ABC, Generic[Verdict]):
    """Keyword arguments are `ClientConfig` fields; `sleep` is injectable for tests."""

    def __init__(
        self,
        base_url: str = PRODUCTION_BASE_URL,
        credentials: Credentials | None = None,
        *,
        sleep: Callable[[float], Any] | None = None,
        **settings: Any,
    ) -> None:
        config = ClientConfig(base_url=base_url, credentials=credentials, **settings)
        credentials = config.credentials or resolve_credentials(env=config.env)
        self.config = config
        self.flow = SafeFlow(config)
        self.timeout = trading_timeout(config.connect_timeout, config.read_timeout)
        self.generated, self._http_settings = prepare_client(
            config.base_url,
            credentials,
            clock=config.clock,
            recv_window=config.recv_window,
            timeout=self.timeout,
            httpx_args=config.httpx_args,
        )
        self._sleep = self._default_sleep() if sleep is None else sleep
        self._open()

    @abstractmethod
    def _default_sleep(self) -> Callable[[float], Any]: ...

    @abstractmethod
    def _open(self) -> None:
        """Make the signing httpx client (`_signing_settings`) and give it to `generated`."""

    @property
    def clock(self) -> Clock:
        return self.flow.clock

    @property
    def used_weight(self) -> int | None:
        """The latest X-MBX-USED-WEIGHT-1M seen."""
        return self.flow.budget.last_used_weight

    @property
    def budget(self) -> WeightBudget:
        return self.flow.budget

    @property
    def tran_ids(self) -> TranIdLedger:
        """What this client knows of its own repays (tranIds received, unknown outcomes)."""
        return self.flow.tran_ids

    @property
    def unresolved(self) -> tuple[SentRepay, ...]:
        """Repays sent whose outcome is unknown (OutcomeUnknown, or the call was interrupted
        after it started sending, e.g. cancelled by `asyncio.wait_for`) and that no verdict
        has settled yet: pass each to `reconcile_sent`."""
        return self.flow.tran_ids.unresolved()

    @abstractmethod
    def reconcile_sent(self, request: SentRepay, *, settle: bool = True) -> Verdict:
        """The verdict on `request`: measures the server's clock, with `settle` waits until
        the request can no longer execute (else the verdict may be "unknown"), then reads
        every page of its window in the repay records."""

    def reconcile_outcome(self, error: OutcomeUnknown, *, settle: bool = True) -> Verdict:
        """The verdict on the request behind `error` (see `reconcile_sent`)."""
        return self.reconcile_sent(self.flow.sent_of(error), settle=settle)

    def reconcile(
        self,
        asset: str,
        amount: Amount,
        since_ms: int,
        recv_window: int | None = None,
        *,
        settle: bool = False,
    ) -> Verdict:
        """The verdict on a repay of `amount` `asset` signed with timestamp `since_ms`."""
        request = self.flow.request(asset, amount, since_ms, recv_window)
        return self.reconcile_sent(request, settle=settle)

    def request_of(self, error: OutcomeUnknown) -> SentRepay:
        """What the request behind `error` signed (InvalidInput if it carries no timestamp)."""
        return self.flow.sent_of(error)

    def _signing_settings(self, delivery: Callable[..., Any]) -> dict[str, Any]:
        """The signing httpx client's settings, with `delivery` as the last response hook."""
        settings = dict(self._http_settings)
        hooks = dict(settings.get("event_hooks") or {})
        hooks["response"] = [*hooks.get("response", ()), delivery]
        settings["event_hooks"] = hooks
        return settings

    def _time_settings(self) -> dict[str, Any]:
        return {"timeout": self.timeout, **self.config.httpx_args}

    def _first(self, flow: Generator[Any, Any, T]) -> tuple[bool, Any]:
        return self._advance(flow, None, None)

    @staticmethod
    def _advance(
        flow: Generator[Any, Any, T], value: Any, error: BaseException | None
    ) -> tuple[bool, Any]:
        """Hand `flow` what performing its effect gave; (True, its result) when it is done,
        else (False, its next effect)."""
        try:
            effect = flow.send(value) if error is None else flow.throw(error)
        except StopIteration as done:
            return True, done.value
        return False, effect


class delivery:  # noqa: N801 (used as `with delivery() as answer`, like a function)
    """Around a generated call: its answer, raised by the delivery hook (`effects.deliver`),
    or the transport error that stopped it, becomes `answer.value`. A class, not a
    @contextmanager: it is on every call's path."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: httpx.Response | httpx.HTTPError | None = None

    def __enter__(self) -> delivery:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> bool:
        if isinstance(error, Delivered):
            self.value = error.response
        elif isinstance(error, httpx.HTTPError):
            self.value = error
        elif error is None:
            raise RuntimeError("an answer bypassed the delivery hook")
        return self.value is not None
