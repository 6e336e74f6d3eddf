"""What `RepayClient` and `AsyncRepayClient` share: the flow state, the generated client, and
the stepping of a flow. Only performing an effect differs between them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from auth_plugin.client.defaults import PRODUCTION_BASE_URL
from auth_plugin.client.factory import check_url, without_proxy_for_loopback
from auth_plugin.safe.config import ClientConfig
from auth_plugin.safe.demo_keys import refuse_demo_keys
from auth_plugin.safe.errors import OutcomeUnknown
from auth_plugin.safe.flow import SafeFlow
from auth_plugin.safe.pacing import WeightBudget
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.safe.sends import SendLedger
from auth_plugin.signer.clock import Clock
from auth_plugin.signer.credentials import Credentials

T = TypeVar("T")


class ClientBase(ABC):
    """Keyword arguments are `ClientConfig` fields.

    The reconciling methods (`reconcile_sent`, `reconcile_outcome`, `reconcile`,
    `reconcile_unresolved`) are each client's own: `RepayClient` returns a `ReconcileResult`,
    `AsyncRepayClient` an awaitable of one."""

    def __init__(
        self,
        base_url: str = PRODUCTION_BASE_URL,
        credentials: Credentials | None = None,
        **settings: Any,
    ) -> None:
        config = ClientConfig(base_url=base_url, credentials=credentials, **settings)
        credentials = config.resolved_credentials()
        self.config = config
        self.flow = SafeFlow(config)
        self.timeout = config.timeout
        self.generated, self._http_settings = config.prepared(credentials)
        check_url(
            config.effective_time_url, "time_url", allow_insecure_http=config.allow_insecure_http
        )
        refuse_demo_keys(config.base_url, credentials)
        self._sleep = self._default_sleep() if config.sleep is None else config.sleep
        self._open()

    @abstractmethod
    def _default_sleep(self) -> Callable[[float], Any]: ...

    @abstractmethod
    def _open(self) -> None:
        """Make the signing httpx client (`_http_settings`) and give it to `generated`."""

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
    def sends(self) -> SendLedger:
        """What this client knows of its money-moving sends (and, with a journal, of every
        run's that shares it)."""
        return self.flow.sends

    @property
    def unresolved(self) -> tuple[LoanRequest, ...]:
        """Money-moving sends whose outcome is not established: in flight, of unknown outcome
        (OutcomeUnknown, or interrupted after it was registered, e.g. cancelled by
        `asyncio.wait_for`), and settled by no verdict yet. Pass each to `reconcile_sent`, or
        all of them to `reconcile_unresolved`."""
        return self.flow.sends.unresolved()

    def request_of(self, error: OutcomeUnknown) -> LoanRequest:
        """The send behind `error` (InvalidInput if it is not of a money-moving send)."""
        return self.flow.sent_of(error)

    def _time_settings(self) -> dict[str, Any]:
        settings = without_proxy_for_loopback(self.flow.time_url, self.config.httpx_args)
        return {"timeout": self.timeout, **settings}

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
