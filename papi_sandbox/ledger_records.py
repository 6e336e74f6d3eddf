"""What the ledger keeps: accounts, balances, borrow limits, repay and loan records, and the
next tranId. Every amount is kept as the --db file stores it: quantized to 8 places."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from papi_sandbox.signatures import KeyType

EIGHT_PLACES = Decimal("0.00000001")
STATUS_PENDING = "PENDING"
STATUS_CONFIRMED = "CONFIRMED"
STATUS_FAILED = "FAILED"
RECORD_STATUSES = (STATUS_PENDING, STATUS_CONFIRMED, STATUS_FAILED)


def quantize8(value: Decimal) -> Decimal:
    """An amount as the ledger keeps it: 8 places (rounded in the current decimal context)."""
    return value.quantize(EIGHT_PLACES)


def format8(value: Decimal) -> str:
    return format(value.quantize(EIGHT_PLACES), "f")


def check_status(status: str) -> str:
    if status not in RECORD_STATUSES:
        raise ValueError(f"status must be one of {RECORD_STATUSES}, not {status!r}")
    return status


@dataclass(frozen=True)
class Balance:
    principal: Decimal
    interest: Decimal
    free: Decimal

    @property
    def liability(self) -> Decimal:
        return self.principal + self.interest

    def as_json(self) -> dict[str, str]:
        return {
            "principal": format8(self.principal),
            "interest": format8(self.interest),
            "free": format8(self.free),
        }

    def stored(self) -> Balance:
        """As the ledger keeps it (8 places)."""
        return Balance(quantize8(self.principal), quantize8(self.interest), quantize8(self.free))


ZERO_BALANCE = Balance(Decimal(0), Decimal(0), Decimal(0)).stored()


@dataclass(frozen=True)
class RepayRecord:
    tran_id: int
    account: str
    asset: str
    amount: Decimal
    interest: Decimal
    principal: Decimal
    status: str
    timestamp: int

    def as_api_row(self) -> dict[str, str | int]:
        """The row shape of GET /papi/v1/margin/repayLoan."""
        return {
            "amount": format8(self.amount),
            "asset": self.asset,
            "interest": format8(self.interest),
            "principal": format8(self.principal),
            "status": self.status,
            "timestamp": self.timestamp,
            "txId": self.tran_id,
        }


@dataclass(frozen=True)
class LoanRecord:
    """A borrow (POST /papi/v1/marginLoan); its tranId comes from the repays' sequence."""

    tran_id: int
    account: str
    asset: str
    principal: Decimal
    status: str
    timestamp: int

    def as_api_row(self) -> dict[str, str | int]:
        """The row shape of GET /papi/v1/margin/marginLoan."""
        return {
            "asset": self.asset,
            "principal": format8(self.principal),
            "status": self.status,
            "timestamp": self.timestamp,
            "txId": self.tran_id,
        }


@dataclass(frozen=True)
class StoredAccount:
    name: str
    api_key: str
    key_type: KeyType
    key: str


@dataclass
class LedgerState:
    """Everything the ledger holds. Balances, limits and records are keyed by account name and
    outlive the account's key (an account replaced by name keeps them); records are kept
    oldest (lowest tranId) first."""

    accounts: dict[str, StoredAccount] = field(default_factory=dict)
    balances: dict[str, dict[str, Balance]] = field(default_factory=dict)
    limits: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    repays: dict[str, list[RepayRecord]] = field(default_factory=dict)
    loans: dict[str, list[LoanRecord]] = field(default_factory=dict)
    next_tran_id: int = 0
