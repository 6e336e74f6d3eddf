"""The ledger in SQLite, for `--db`: accounts, balances, records and the tranId sequence
survive a restart.

One connection (":memory:" if asked for) behind one lock; every read-modify-write is a single
IMMEDIATE transaction, so concurrent repays can neither lose nor double an update.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from pathlib import Path
from typing import Any

from papi_sandbox.accounts import AccountSpec
from papi_sandbox.ledger_base import (
    STATUS_CONFIRMED,
    Balance,
    Ledger,
    LoanRecord,
    RepayRecord,
    StoredAccount,
    UnknownAccount,
    UnknownRecord,
    added_interest,
    check_status,
    debt_to_repay,
    format8,
    merged_balance,
    settle_borrow,
    settle_repay,
    wall_clock_tran_id,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    api_key TEXT NOT NULL UNIQUE,
    key_type TEXT NOT NULL,
    key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS balances (
    account TEXT NOT NULL,
    asset TEXT NOT NULL,
    principal TEXT NOT NULL,
    interest TEXT NOT NULL,
    free TEXT NOT NULL,
    PRIMARY KEY (account, asset)
);
CREATE TABLE IF NOT EXISTS repays (
    tran_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    asset TEXT NOT NULL,
    amount TEXT NOT NULL,
    interest TEXT NOT NULL,
    principal TEXT NOT NULL,
    status TEXT NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS repays_by_account ON repays (account, asset, timestamp);
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, next_value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS loans (
    tran_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    asset TEXT NOT NULL,
    principal TEXT NOT NULL,
    status TEXT NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS loans_by_account ON loans (account, asset, timestamp);
CREATE TABLE IF NOT EXISTS borrow_limits (
    account TEXT NOT NULL,
    asset TEXT NOT NULL,
    borrow_limit TEXT NOT NULL,
    PRIMARY KEY (account, asset)
);
"""


_MAX_INTEGER = 2**63 - 1
# After "... WHERE account = ?1": the optional filters of a record query, and its order.
_RECORD_FILTERS = (
    " AND (?2 IS NULL OR asset = ?2) AND (?3 IS NULL OR tran_id = ?3)"
    " AND (?4 IS NULL OR timestamp >= ?4) AND (?5 IS NULL OR timestamp <= ?5)"
    " ORDER BY tran_id DESC"
)


def _private_files(path: Path) -> None:
    """The ledger holds HMAC secrets: create its file 0600 (SQLite gives its -wal and -shm files
    the same mode), and tighten a loose one of this user's left by an earlier run."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        try:
            info = (path.parent / name).stat()
        except FileNotFoundError:
            continue
        if info.st_uid == os.geteuid() and stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
            (path.parent / name).chmod(stat.S_IMODE(info.st_mode) & 0o700)


class SqliteLedger(Ledger):
    def __init__(self, path: Path | str | None = None) -> None:
        self._lock = threading.Lock()
        if path is not None and str(path) != ":memory:":
            _private_files(Path(path))
        self._conn = sqlite3.connect(
            ":memory:" if path is None else str(path),
            check_same_thread=False,
            isolation_level=None,
        )
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        with self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO sequences (name, next_value) VALUES ('tran_id', 0)")
            _raise_tran_ids(conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def wipe(self) -> None:
        with self._transaction() as conn:
            for table in ("accounts", "balances", "repays", "loans", "borrow_limits"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            _raise_tran_ids(conn)

    # -- accounts -------------------------------------------------------------------------

    def save_account(self, spec: AccountSpec, replace_balances: bool) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM accounts WHERE name = ?", (spec.name,))
            conn.execute(
                "INSERT INTO accounts (name, api_key, key_type, key) VALUES (?, ?, ?, ?)",
                (spec.name, spec.api_key, spec.key_type, spec.key),
            )
            if replace_balances:
                conn.execute("DELETE FROM balances WHERE account = ?", (spec.name,))
                conn.execute("DELETE FROM borrow_limits WHERE account = ?", (spec.name,))
            for asset, seed in spec.assets.items():
                # Limits are configuration: the seed's always apply, also over a kept ledger.
                if seed.borrow_limit is not None:
                    self._write_limit(conn, spec.name, asset, seed.borrow_limit)
                conn.execute(
                    "INSERT OR IGNORE INTO balances (account, asset, principal, interest, free)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (
                        spec.name,
                        asset,
                        format8(seed.principal),
                        format8(seed.interest),
                        format8(seed.free),
                    ),
                )

    def accounts(self) -> list[StoredAccount]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, api_key, key_type, key FROM accounts ORDER BY name"
            ).fetchall()
        return [StoredAccount(*row) for row in rows]

    def _require_account(self, conn: sqlite3.Connection, account: str) -> None:
        if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (account,)).fetchone() is None:
            raise UnknownAccount(account)

    # -- balances -------------------------------------------------------------------------

    def set_balance(
        self,
        account: str,
        asset: str,
        principal: Decimal | None = None,
        interest: Decimal | None = None,
        free: Decimal | None = None,
    ) -> Balance:
        with self._transaction() as conn:
            self._require_account(conn, account)
            updated = merged_balance(self._balance(conn, account, asset), principal, interest, free)
            self._write_balance(conn, account, asset, updated)
        return updated

    def balances(self, account: str) -> dict[str, Balance]:
        with self._lock:
            self._require_account(self._conn, account)
            rows = self._conn.execute(
                "SELECT asset, principal, interest, free FROM balances WHERE account = ?"
                " ORDER BY asset",
                (account,),
            ).fetchall()
        return {
            asset: Balance(Decimal(principal), Decimal(interest), Decimal(free))
            for asset, principal, interest, free in rows
        }

    @staticmethod
    def _balance(conn: sqlite3.Connection, account: str, asset: str) -> Balance | None:
        row = conn.execute(
            "SELECT principal, interest, free FROM balances WHERE account = ? AND asset = ?",
            (account, asset),
        ).fetchone()
        if row is None:
            return None
        return Balance(Decimal(row[0]), Decimal(row[1]), Decimal(row[2]))

    @staticmethod
    def _write_balance(conn: sqlite3.Connection, account: str, asset: str, bal: Balance) -> None:
        conn.execute(
            "INSERT INTO balances (account, asset, principal, interest, free)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (account, asset) DO UPDATE SET"
            " principal = excluded.principal, interest = excluded.interest, free = excluded.free",
            (account, asset, format8(bal.principal), format8(bal.interest), format8(bal.free)),
        )

    @staticmethod
    def _write_limit(conn: sqlite3.Connection, account: str, asset: str, limit: Decimal) -> None:
        conn.execute(
            "INSERT INTO borrow_limits (account, asset, borrow_limit) VALUES (?, ?, ?)"
            " ON CONFLICT (account, asset) DO UPDATE SET borrow_limit = excluded.borrow_limit",
            (account, asset, format8(limit)),
        )

    def _next_tran_id(self, conn: sqlite3.Connection) -> int:
        (tran_id,) = conn.execute(
            "UPDATE sequences SET next_value = next_value + 1 WHERE name = 'tran_id'"
            " RETURNING next_value - 1"
        ).fetchone()
        return int(tran_id)

    # -- repays ---------------------------------------------------------------------------

    def repay(
        self,
        account: str,
        asset: str,
        amount: Decimal,
        timestamp_ms: int,
        status: str = STATUS_CONFIRMED,
    ) -> RepayRecord:
        check_status(status)
        with self._transaction() as conn:
            settled = settle_repay(self._balance(conn, account, asset), asset, amount)
            self._write_balance(conn, account, asset, settled.balance)
            (tran_id,) = conn.execute(
                "UPDATE sequences SET next_value = next_value + 1 WHERE name = 'tran_id'"
                " RETURNING next_value - 1"
            ).fetchone()
            conn.execute(
                "INSERT INTO repays (tran_id, account, asset, amount, interest, principal,"
                " status, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    int(tran_id),
                    account,
                    asset,
                    format(settled.stored_amount, "f"),
                    format(settled.stored_interest, "f"),
                    format(settled.stored_principal, "f"),
                    status,
                    timestamp_ms,
                ),
            )
        return RepayRecord(
            tran_id=int(tran_id),
            account=account,
            asset=asset,
            amount=amount,
            interest=settled.interest,
            principal=settled.principal,
            status=status,
            timestamp=timestamp_ms,
        )

    def set_record_status(self, account: str, tran_id: int, status: str) -> RepayRecord:
        check_status(status)
        with self._transaction() as conn:
            self._require_account(conn, account)
            if not 0 <= tran_id <= _MAX_INTEGER:  # SQLite would raise OverflowError instead
                raise UnknownRecord(tran_id)
            row = conn.execute(
                "UPDATE repays SET status = ? WHERE account = ? AND tran_id = ? RETURNING"
                " tran_id, account, asset, amount, interest, principal, status, timestamp",
                (status, account, tran_id),
            ).fetchone()
        if row is None:
            raise UnknownRecord(tran_id)
        return _record(row)

    def repays(
        self,
        account: str,
        asset: str | None = None,
        tran_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> list[RepayRecord]:
        select = (
            "SELECT tran_id, account, asset, amount, interest, principal, status, timestamp"
            " FROM repays WHERE account = ?1"
        )
        return [
            _record(row)
            for row in self._matching(select, account, asset, tran_id, start_ms, end_ms)
        ]

    def repay_debt(
        self, account: str, asset: str, amount: Decimal | None, timestamp_ms: int
    ) -> RepayRecord:
        with self._transaction() as conn:
            current = self._balance(conn, account, asset)
            settled = settle_repay(current, asset, debt_to_repay(current, asset, amount))
            self._write_balance(conn, account, asset, settled.balance)
            record = RepayRecord(
                self._next_tran_id(conn),
                account,
                asset,
                settled.stored_amount,
                settled.stored_interest,
                settled.stored_principal,
                STATUS_CONFIRMED,
                timestamp_ms,
            )
            conn.execute(
                "INSERT INTO repays (tran_id, account, asset, amount, interest, principal,"
                " status, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.tran_id,
                    account,
                    asset,
                    format8(record.amount),
                    format8(record.interest),
                    format8(record.principal),
                    record.status,
                    timestamp_ms,
                ),
            )
        return record

    def borrow(self, account: str, asset: str, amount: Decimal, timestamp_ms: int) -> LoanRecord:
        with self._transaction() as conn:
            self._require_account(conn, account)
            limit_row = conn.execute(
                "SELECT borrow_limit FROM borrow_limits WHERE account = ? AND asset = ?",
                (account, asset),
            ).fetchone()
            limit = None if limit_row is None else Decimal(limit_row[0])
            after = settle_borrow(self._balance(conn, account, asset), limit, asset, amount)
            self._write_balance(conn, account, asset, after)
            record = LoanRecord(
                self._next_tran_id(conn),
                account,
                asset,
                Decimal(format8(amount)),
                STATUS_CONFIRMED,
                timestamp_ms,
            )
            conn.execute(
                "INSERT INTO loans (tran_id, account, asset, principal, status, timestamp)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (record.tran_id, account, asset, format8(amount), record.status, timestamp_ms),
            )
        return record

    def loans(
        self,
        account: str,
        asset: str | None = None,
        tran_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> list[LoanRecord]:
        select = (
            "SELECT tran_id, account, asset, principal, status, timestamp"
            " FROM loans WHERE account = ?1"
        )
        return [
            _loan(row) for row in self._matching(select, account, asset, tran_id, start_ms, end_ms)
        ]

    def _matching(
        self,
        select: str,
        account: str,
        asset: str | None,
        tran_id: int | None,
        start_ms: int | None,
        end_ms: int | None,
    ) -> list[Any]:
        """The rows `select` ("... WHERE account = ?1") finds with the filters given, newest
        first (times inclusive)."""
        if tran_id is not None and not 0 <= tran_id <= _MAX_INTEGER:
            return []  # no such record; SQLite would raise OverflowError
        args = (account, asset, tran_id, start_ms, end_ms)
        with self._lock:
            return self._conn.execute(select + _RECORD_FILTERS, args).fetchall()

    def add_interest(self, account: str, asset: str, interest: Decimal) -> Balance:
        with self._transaction() as conn:
            self._require_account(conn, account)
            after = added_interest(self._balance(conn, account, asset), interest)
            self._write_balance(conn, account, asset, after)
        return after

    def set_borrow_limit(self, account: str, asset: str, limit: Decimal | None) -> None:
        with self._transaction() as conn:
            self._require_account(conn, account)
            if limit is None:
                conn.execute(
                    "DELETE FROM borrow_limits WHERE account = ? AND asset = ?", (account, asset)
                )
            else:
                self._write_limit(conn, account, asset, limit)

    def borrow_limits(self, account: str) -> dict[str, Decimal]:
        with self._lock:
            self._require_account(self._conn, account)
            rows = self._conn.execute(
                "SELECT asset, borrow_limit FROM borrow_limits WHERE account = ? ORDER BY asset",
                (account,),
            ).fetchall()
        return {asset: Decimal(limit) for asset, limit in rows}

    def last_activity(self, account: str) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT asset, MAX(timestamp) FROM (SELECT asset, timestamp FROM repays"
                " WHERE account = ?1 UNION ALL SELECT asset, timestamp FROM loans"
                " WHERE account = ?1) GROUP BY asset",
                (account,),
            ).fetchall()
        return {asset: int(latest) for asset, latest in rows}


def _raise_tran_ids(conn: sqlite3.Connection) -> None:
    """The next tranId: at least the wall clock's, above every id stored, never lowered."""
    conn.execute(
        "UPDATE sequences SET next_value = MAX(next_value, ?,"
        " (SELECT COALESCE(MAX(tran_id), 0) + 1 FROM repays),"
        " (SELECT COALESCE(MAX(tran_id), 0) + 1 FROM loans)) WHERE name = 'tran_id'",
        (wall_clock_tran_id(),),
    )


def _loan(row: Sequence[Any]) -> LoanRecord:
    """A loans row: tran_id, account, asset, principal, status, timestamp."""
    return LoanRecord(
        tran_id=int(row[0]),
        account=row[1],
        asset=row[2],
        principal=Decimal(row[3]),
        status=row[4],
        timestamp=int(row[5]),
    )


def _record(row: Sequence[Any]) -> RepayRecord:
    """A repays row: tran_id, account, asset, amount, interest, principal, status, timestamp."""
    return RepayRecord(
        tran_id=int(row[0]),
        account=row[1],
        asset=row[2],
        amount=Decimal(row[3]),
        interest=Decimal(row[4]),
        principal=Decimal(row[5]),
        status=row[6],
        timestamp=int(row[7]),
    )
