"""The --db file: the ledger written through to SQLite, so that it survives a restart.

The ledger itself stays in memory (`ledger.Ledger`) and answers every read from there; this
store only loads it on start and writes each change, one transaction per change, before the
ledger applies it. The ledger's lock serializes every call.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from decimal import Decimal
from pathlib import Path

from papi_sandbox.ledger_records import (
    Balance,
    LedgerState,
    LoanRecord,
    RepayRecord,
    StoredAccount,
    format8,
)

# The tables of the earlier SQLite ledger, so files it wrote open as they are. The sequence
# row keeps the next tranId across a wipe (which deletes the records it would be read from).
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
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, next_value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS loans (
    tran_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    asset TEXT NOT NULL,
    principal TEXT NOT NULL,
    status TEXT NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS borrow_limits (
    account TEXT NOT NULL,
    asset TEXT NOT NULL,
    borrow_limit TEXT NOT NULL,
    PRIMARY KEY (account, asset)
);
INSERT OR IGNORE INTO sequences (name, next_value) VALUES ('tran_id', 0);
"""
_TABLES = ("accounts", "balances", "repays", "loans", "borrow_limits")


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


class SqliteStore:
    def __init__(self, path: Path | str) -> None:
        in_memory = str(path) == ":memory:"
        if not in_memory:
            _private_files(Path(path))
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        if not in_memory:
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def load(self) -> LedgerState:
        """Everything stored; `next_tran_id` above every tranId issued so far."""
        state = LedgerState()
        conn = self._conn
        for row in conn.execute("SELECT name, api_key, key_type, key FROM accounts"):
            state.accounts[row[0]] = StoredAccount(*row)
        for account, asset, principal, interest, free in conn.execute(
            "SELECT account, asset, principal, interest, free FROM balances"
        ):
            balance = Balance(Decimal(principal), Decimal(interest), Decimal(free))
            state.balances.setdefault(account, {})[asset] = balance
        for account, asset, limit in conn.execute(
            "SELECT account, asset, borrow_limit FROM borrow_limits"
        ):
            state.limits.setdefault(account, {})[asset] = Decimal(limit)
        for tran_id, account, asset, amount, interest, principal, status, stamp in conn.execute(
            "SELECT tran_id, account, asset, amount, interest, principal, status, timestamp"
            " FROM repays ORDER BY tran_id"
        ):
            state.repays.setdefault(account, []).append(
                RepayRecord(
                    tran_id,
                    account,
                    asset,
                    Decimal(amount),
                    Decimal(interest),
                    Decimal(principal),
                    status,
                    stamp,
                )
            )
        for tran_id, account, asset, principal, status, stamp in conn.execute(
            "SELECT tran_id, account, asset, principal, status, timestamp FROM loans"
            " ORDER BY tran_id"
        ):
            state.loans.setdefault(account, []).append(
                LoanRecord(tran_id, account, asset, Decimal(principal), status, stamp)
            )
        (state.next_tran_id,) = conn.execute(
            "SELECT MAX(next_value, (SELECT COALESCE(MAX(tran_id), 0) + 1 FROM repays),"
            " (SELECT COALESCE(MAX(tran_id), 0) + 1 FROM loans))"
            " FROM sequences WHERE name = 'tran_id'"
        ).fetchone()
        return state

    def wipe(self, next_tran_id: int) -> None:
        with self._transaction() as conn:
            for table in _TABLES:
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            conn.execute(
                "UPDATE sequences SET next_value = ? WHERE name = 'tran_id'", (next_tran_id,)
            )

    def save_account(
        self,
        account: StoredAccount,
        replace_balances: bool,
        seeded: Mapping[str, Balance],
        limits: Mapping[str, Decimal],
    ) -> None:
        """Store the account's key; with replace_balances its balances and limits are only
        `seeded` and `limits`, else those are added over what it holds."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM accounts WHERE name = ?", (account.name,))
            conn.execute(
                "INSERT INTO accounts (name, api_key, key_type, key) VALUES (?, ?, ?, ?)",
                (account.name, account.api_key, account.key_type, account.key),
            )
            if replace_balances:
                conn.execute("DELETE FROM balances WHERE account = ?", (account.name,))
                conn.execute("DELETE FROM borrow_limits WHERE account = ?", (account.name,))
            for asset, balance in seeded.items():
                _write_balance(conn, account.name, asset, balance)
            for asset, limit in limits.items():
                _write_limit(conn, account.name, asset, limit)

    def put_balance(self, account: str, asset: str, balance: Balance) -> None:
        with self._transaction() as conn:
            _write_balance(conn, account, asset, balance)

    def put_limit(self, account: str, asset: str, limit: Decimal | None) -> None:
        """Store the asset's borrow limit; None removes it."""
        with self._transaction() as conn:
            if limit is None:
                conn.execute(
                    "DELETE FROM borrow_limits WHERE account = ? AND asset = ?", (account, asset)
                )
            else:
                _write_limit(conn, account, asset, limit)

    def add_repay(self, record: RepayRecord, balance: Balance) -> None:
        """Store a repay record and its asset's balance after it."""
        with self._transaction() as conn:
            _write_balance(conn, record.account, record.asset, balance)
            conn.execute(
                "INSERT INTO repays (tran_id, account, asset, amount, interest, principal,"
                " status, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.tran_id,
                    record.account,
                    record.asset,
                    format8(record.amount),
                    format8(record.interest),
                    format8(record.principal),
                    record.status,
                    record.timestamp,
                ),
            )

    def add_loan(self, record: LoanRecord, balance: Balance) -> None:
        """Store a loan record and its asset's balance after it."""
        with self._transaction() as conn:
            _write_balance(conn, record.account, record.asset, balance)
            conn.execute(
                "INSERT INTO loans (tran_id, account, asset, principal, status, timestamp)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.tran_id,
                    record.account,
                    record.asset,
                    format8(record.principal),
                    record.status,
                    record.timestamp,
                ),
            )

    def set_status(self, tran_id: int, status: str) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE repays SET status = ? WHERE tran_id = ?", (status, tran_id))


def _write_balance(conn: sqlite3.Connection, account: str, asset: str, balance: Balance) -> None:
    conn.execute(
        "INSERT INTO balances (account, asset, principal, interest, free) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (account, asset) DO UPDATE SET"
        " principal = excluded.principal, interest = excluded.interest, free = excluded.free",
        (
            account,
            asset,
            format8(balance.principal),
            format8(balance.interest),
            format8(balance.free),
        ),
    )


def _write_limit(conn: sqlite3.Connection, account: str, asset: str, limit: Decimal) -> None:
    conn.execute(
        "INSERT INTO borrow_limits (account, asset, borrow_limit) VALUES (?, ?, ?)"
        " ON CONFLICT (account, asset) DO UPDATE SET borrow_limit = excluded.borrow_limit",
        (account, asset, format8(limit)),
    )
