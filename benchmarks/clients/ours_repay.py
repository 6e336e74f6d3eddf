"""Ours, safety layer: `auth_plugin.RepayClient` (input checks, typed errors, retry policy, ban
memory, wire capture) on top of the generated client and `BinanceAuth` (HMAC).

Public names of `auth_plugin` only: its internal modules may move."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

if TYPE_CHECKING:  # not imported at run time: the start-up section times this module's import
    from decimal import Decimal

LABEL = "ours: RepayClient.repay() safety layer (HMAC)"
NOTE = (
    "RepayClient(base_url, Credentials(api_key, HmacKey(secret))); "
    "repay(asset, amount, recv_window) -> RepayResult"
)
#: What section 5 (loan lifecycle) calls on this client.
LIFECYCLE_NOTE = (
    "debt: RepayClient.debt(asset) -> dict[str, Debt]; repay_all: RepayClient.repay_all(asset) "
    "-> RepayAllResult (balance, one repay of principal + interest, balance again)"
)


def unavailable() -> str | None:
    try:
        import auth_plugin
    except ImportError as error:
        return f"not importable yet: {error}"
    try:
        auth_plugin.RepayClient  # noqa: B018  (the public name; loaded lazily)
    except (AttributeError, ImportError) as error:
        return f"auth_plugin has no public RepayClient: {error}"
    return None


class OursRepay:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from auth_plugin import Credentials, HmacKey, RepayClient

        self._client = RepayClient(base_url, Credentials(api_key, HmacKey(secret)))

    def repay(self) -> object:
        # Raises a PapiError subclass on anything but an executed repay.
        return self._client.repay(ASSET, AMOUNT, recv_window=RECV_WINDOW)

    # -- section 5: the loan lifecycle calls ----------------------------------------------------

    def debt(self) -> Any:
        """One GET /papi/v1/balance?asset=: {asset: Debt}."""
        return self._client.debt(ASSET)

    def repay_all(self) -> Any:
        """Balance, one repay of principal + interest, balance again: a RepayAllResult."""
        return self._client.repay_all(ASSET)

    @staticmethod
    def debt_asset(answer: Any) -> str:
        (asset,) = answer
        return str(asset)

    @staticmethod
    def settled(answer: Any) -> tuple[Decimal, Decimal]:
        """(amount repaid, debt left after) of one repay_all() answer."""
        return answer.repaid_amount, answer.left

    def close(self) -> None:
        self._client.close()


def build(base_url: str, api_key: str, secret: str) -> OursRepay:
    return OursRepay(base_url, api_key, secret)
