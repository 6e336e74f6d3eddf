"""Per-account, per-asset loans and balances, repay records and the tranId sequence.

The public face of the ledger: the interface, types and rules live in `ledger_base` (which
the implementations import, so there is no import cycle) and are re-exported here;
`open_ledger` picks the implementation: `MemoryLedger` (dicts behind one lock, gone with the
process) without a path, `SqliteLedger` (survives restarts) with one.
"""

from __future__ import annotations

from pathlib import Path

from papi_sandbox.ledger_base import (
    EIGHT_PLACES,
    EXACT_PRECISION,
    FIRST_TRAN_ID,
    RECORD_STATUSES,
    STATUS_CONFIRMED,
    STATUS_FAILED,
    STATUS_PENDING,
    ZERO_BALANCE,
    Balance,
    ExceedsLiability,
    InsufficientBalance,
    Ledger,
    LedgerRejection,
    RepayRecord,
    Settlement,
    StoredAccount,
    UnknownAccount,
    UnknownAsset,
    UnknownRecord,
    check_status,
    format8,
    merged_balance,
    quantize8,
    settle_repay,
)
from papi_sandbox.ledger_memory import MemoryLedger
from papi_sandbox.ledger_sqlite import SqliteLedger

__all__ = [
    "EIGHT_PLACES",
    "EXACT_PRECISION",
    "FIRST_TRAN_ID",
    "RECORD_STATUSES",
    "STATUS_CONFIRMED",
    "STATUS_FAILED",
    "STATUS_PENDING",
    "ZERO_BALANCE",
    "Balance",
    "ExceedsLiability",
    "InsufficientBalance",
    "Ledger",
    "LedgerRejection",
    "MemoryLedger",
    "RepayRecord",
    "Settlement",
    "SqliteLedger",
    "StoredAccount",
    "UnknownAccount",
    "UnknownAsset",
    "UnknownRecord",
    "check_status",
    "format8",
    "merged_balance",
    "open_ledger",
    "quantize8",
    "settle_repay",
]


def open_ledger(path: Path | str | None = None) -> Ledger:
    """In memory without a path; SQLite (kept across restarts) with one."""
    if path is None:
        return MemoryLedger()
    return SqliteLedger(path)
