"""Per-account, per-asset loans, balances and borrow limits, repay and loan records and the
tranId sequence they share.

The public face of the ledger: the interface, types and rules live in `ledger_base` (which
the implementations import, so there is no import cycle) and are re-exported here;
`open_ledger` picks the implementation: `MemoryLedger` (dicts behind one lock, gone with the
process) without a path, `SqliteLedger` (survives restarts) with one.
"""

from __future__ import annotations

from pathlib import Path

from papi_sandbox.ledger_base import (
    AMOUNT_LIMIT,
    EIGHT_PLACES,
    EXACT_PRECISION,
    RECORD_STATUSES,
    STATUS_CONFIRMED,
    STATUS_FAILED,
    STATUS_PENDING,
    TRAN_IDS_PER_MS,
    ZERO_BALANCE,
    Balance,
    BorrowLimitExceeded,
    ExceedsLiability,
    InsufficientBalance,
    Ledger,
    LedgerRejection,
    LoanRecord,
    RepayRecord,
    Settlement,
    StoredAccount,
    UnknownAccount,
    UnknownAsset,
    UnknownRecord,
    added_interest,
    check_status,
    debt_to_repay,
    format8,
    merged_balance,
    quantize8,
    settle_borrow,
    settle_repay,
    wall_clock_tran_id,
)
from papi_sandbox.ledger_memory import MemoryLedger
from papi_sandbox.ledger_sqlite import SqliteLedger

__all__ = [
    "AMOUNT_LIMIT",
    "EIGHT_PLACES",
    "EXACT_PRECISION",
    "RECORD_STATUSES",
    "STATUS_CONFIRMED",
    "STATUS_FAILED",
    "STATUS_PENDING",
    "TRAN_IDS_PER_MS",
    "ZERO_BALANCE",
    "Balance",
    "BorrowLimitExceeded",
    "ExceedsLiability",
    "InsufficientBalance",
    "Ledger",
    "LedgerRejection",
    "LoanRecord",
    "MemoryLedger",
    "RepayRecord",
    "Settlement",
    "SqliteLedger",
    "StoredAccount",
    "UnknownAccount",
    "UnknownAsset",
    "UnknownRecord",
    "added_interest",
    "check_status",
    "debt_to_repay",
    "format8",
    "merged_balance",
    "open_ledger",
    "quantize8",
    "settle_borrow",
    "settle_repay",
    "wall_clock_tran_id",
]


def open_ledger(path: Path | str | None = None) -> Ledger:
    """In memory without a path; SQLite (kept across restarts) with one."""
    if path is None:
        return MemoryLedger()
    return SqliteLedger(path)
