"""The sandbox's ledger: per-account loans, balances and borrow limits, repay and loan records
and the tranId sequence they share.

It lives in memory behind one lock, so concurrent repays and borrows can neither lose nor
double an update; with a --db file every change is also written through to SQLite
(`ledger_store`) and the ledger is loaded from there on start. Each change is worked out first
(`ledger_rules`), then stored, and only then applied in memory: a refused or failed change
leaves both as they were.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.ledger_records import (
    STATUS_CONFIRMED,
    Balance,
    LedgerState,
    LoanRecord,
    RepayRecord,
    StoredAccount,
    check_status,
    quantize8,
)
from papi_sandbox.ledger_rules import (
    Settlement,
    UnknownAccount,
    UnknownRecord,
    added_interest,
    debt_to_repay,
    merged_balance,
    settle_borrow,
    settle_repay,
)
from papi_sandbox.ledger_store import SqliteStore

# tranIds are numbered from the wall clock (ms x 1000), never from a fixed start: a sandbox
# started later, or reset, or reopened on its --db file, issues ids above every id issued
# before (as long as it issues fewer than 1000 per millisecond on average), so a client's
# journal from an earlier run can never mistake a new tranId for one it knew.
TRAN_IDS_PER_MS = 1000


def wall_clock_tran_id() -> int:
    """The lowest tranId a ledger may issue from now on: the real wall clock (not the
    sandbox's shiftable one) in ms, times TRAN_IDS_PER_MS."""
    return time.time_ns() // 1_000_000 * TRAN_IDS_PER_MS


class Ledger:
    """What the sandbox keeps: in memory, or loaded from and written through to `db_path`.
    Every method is atomic and safe to call from any thread."""

    def __init__(self, db_path: Path | str | None = None) -> None:
        self._lock = threading.Lock()
        self._store = None if db_path is None else SqliteStore(db_path)
        self._state = LedgerState() if self._store is None else self._store.load()
        self._state.next_tran_id = max(self._state.next_tran_id, wall_clock_tran_id())

    def close(self) -> None:
        if self._store is not None:
            with self._lock:
                self._store.close()

    def wipe(self) -> None:
        """Forget everything: accounts, balances, records. The next tranId is the larger of
        the wall clock's (`wall_clock_tran_id`) and one above the last issued."""
        with self._lock:
            next_tran_id = max(self._state.next_tran_id, wall_clock_tran_id())
            if self._store is not None:
                self._store.wipe(next_tran_id)
            self._state = LedgerState(next_tran_id=next_tran_id)

    # -- accounts -------------------------------------------------------------------------

    def save_account(self, spec: AccountSpec, replace_balances: bool) -> None:
        """Store the account's key; seed its assets (all of them anew if replace_balances,
        else only assets it does not hold yet, so a restart keeps what the ledger learned).
        The seed's borrow limits always apply: they are configuration. ValueError if the api
        key belongs to another account."""
        account = StoredAccount(spec.name, spec.api_key, spec.key_type, spec.key)
        seeds = {
            asset: Balance(seed.principal, seed.interest, seed.free).stored()
            for asset, seed in spec.assets.items()
        }
        limits = {
            asset: quantize8(seed.borrow_limit)
            for asset, seed in spec.assets.items()
            if seed.borrow_limit is not None
        }
        with self._lock:
            state = self._state
            for held in state.accounts.values():
                if held.api_key == spec.api_key and held.name != spec.name:
                    raise ValueError(f"api key already belongs to account {held.name!r}")
            held_assets = {} if replace_balances else state.balances.get(spec.name, {})
            seeded = {asset: seeds[asset] for asset in seeds.keys() - held_assets.keys()}
            if self._store is not None:
                self._store.save_account(account, replace_balances, seeded, limits)
            state.accounts[spec.name] = account
            state.balances[spec.name] = {**held_assets, **seeded}
            held_limits = {} if replace_balances else state.limits.get(spec.name, {})
            state.limits[spec.name] = {**held_limits, **limits}

    def accounts(self) -> list[StoredAccount]:
        """All accounts, by name."""
        with self._lock:
            return sorted(self._state.accounts.values(), key=lambda account: account.name)

    def _require_account(self, account: str) -> None:
        if account not in self._state.accounts:
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
        """Set any of principal/interest/free; a new asset starts from zeros. UnknownAccount
        if there is no such account. Returns the balance as given (before quantizing)."""
        with self._lock:
            self._require_account(account)
            current = self._state.balances.get(account, {}).get(asset)
            updated = merged_balance(current, principal, interest, free)
            self._put_balance(account, asset, updated.stored())
        return updated

    def seed(self, account: str, asset: str, seed: AssetSeed) -> Balance:
        balance = self.set_balance(account, asset, seed.principal, seed.interest, seed.free)
        if seed.borrow_limit is not None:
            self.set_borrow_limit(account, asset, seed.borrow_limit)
        return balance

    def add_interest(self, account: str, asset: str, interest: Decimal) -> Balance:
        """Accrue interest on an asset (`added_interest`); returns the balance as stored.
        UnknownAccount if there is no such account, ValueError past what the ledger stores."""
        with self._lock:
            self._require_account(account)
            after = added_interest(self._state.balances.get(account, {}).get(asset), interest)
            self._put_balance(account, asset, after)
        return after

    def _put_balance(self, account: str, asset: str, balance: Balance) -> None:
        if self._store is not None:
            self._store.put_balance(account, asset, balance)
        self._state.balances.setdefault(account, {})[asset] = balance

    def balances(self, account: str) -> dict[str, Balance]:
        """The account's assets, by asset name. UnknownAccount if there is no such account."""
        with self._lock:
            self._require_account(account)
            return dict(sorted(self._state.balances.get(account, {}).items()))

    def set_borrow_limit(self, account: str, asset: str, limit: Decimal | None) -> None:
        """The most the asset's debt (principal + interest) may reach by borrowing; None
        removes the limit. UnknownAccount if there is no such account."""
        stored = None if limit is None else quantize8(limit)
        with self._lock:
            self._require_account(account)
            if self._store is not None:
                self._store.put_limit(account, asset, stored)
            limits = self._state.limits.setdefault(account, {})
            if stored is None:
                limits.pop(asset, None)
            else:
                limits[asset] = stored

    def borrow_limits(self, account: str) -> dict[str, Decimal]:
        """The account's borrow limits, by asset. UnknownAccount if there is no such account."""
        with self._lock:
            self._require_account(account)
            return dict(sorted(self._state.limits.get(account, {}).items()))

    # -- repays ---------------------------------------------------------------------------

    def repay(
        self,
        account: str,
        asset: str,
        amount: Decimal,
        timestamp_ms: int,
        status: str = STATUS_CONFIRMED,
    ) -> RepayRecord:
        """Apply `settle_repay` and record it under the next tranId with this status (see
        settle_repay for the rules and the LedgerRejection each raises). ValueError for a
        status not in RECORD_STATUSES. Returns the record with the amounts as computed; it
        is stored with 8 places."""
        tran_id, settled = self._repay(account, asset, amount, timestamp_ms, status)
        return RepayRecord(
            tran_id,
            account,
            asset,
            amount,
            settled.interest,
            settled.principal,
            status,
            timestamp_ms,
        )

    def repay_tran_id(
        self,
        account: str,
        asset: str,
        amount: Decimal,
        timestamp_ms: int,
        status: str = STATUS_CONFIRMED,
    ) -> int:
        """`repay` for a caller that needs only the tranId (POST /papi/v1/repayLoan): the same
        change and record, without building the record as computed (a second frozen record
        on every repay, about 0.9 µs)."""
        return self._repay(account, asset, amount, timestamp_ms, status)[0]

    def _repay(
        self, account: str, asset: str, amount: Decimal, timestamp_ms: int, status: str
    ) -> tuple[int, Settlement]:
        check_status(status)
        with self._lock:
            held = self._state.balances.get(account, {})
            settled = settle_repay(held.get(asset), asset, amount)
            stored = RepayRecord(
                self._state.next_tran_id,
                account,
                asset,
                settled.stored_amount,
                settled.stored_interest,
                settled.stored_principal,
                status,
                timestamp_ms,
            )
            self._add_repay(stored, settled.balance)
        return stored.tran_id, settled

    def repay_debt(
        self, account: str, asset: str, amount: Decimal | None, timestamp_ms: int
    ) -> RepayRecord:
        """POST /papi/v1/margin/repay-debt: repay `amount` of the asset's debt, or all of it
        (principal + interest) when None, from the asset's own free balance, interest first
        (`debt_to_repay`, then `settle_repay`: UnknownAsset, ExceedsLiability,
        InsufficientBalance). Recorded like a repay, CONFIRMED, under the next tranId."""
        with self._lock:
            current = self._state.balances.get(account, {}).get(asset)
            settled = settle_repay(current, asset, debt_to_repay(current, asset, amount))
            stored = RepayRecord(
                self._state.next_tran_id,
                account,
                asset,
                settled.stored_amount,
                settled.stored_interest,
                settled.stored_principal,
                STATUS_CONFIRMED,
                timestamp_ms,
            )
            self._add_repay(stored, settled.balance)
        return stored

    def _add_repay(self, record: RepayRecord, balance: Balance) -> None:
        if self._store is not None:
            self._store.add_repay(record, balance)
        state = self._state
        state.balances[record.account][record.asset] = balance
        state.repays.setdefault(record.account, []).append(record)
        state.next_tran_id = record.tran_id + 1

    def set_record_status(self, account: str, tran_id: int, status: str) -> RepayRecord:
        """Relabel one of the account's records (balances stay as they are); returns it as
        stored. ValueError for a status not in RECORD_STATUSES, UnknownAccount, or
        UnknownRecord if the account has no record with this tranId."""
        check_status(status)
        with self._lock:
            self._require_account(account)
            records = self._state.repays.get(account, [])
            for index, record in enumerate(records):
                if record.tran_id == tran_id:
                    if self._store is not None:
                        self._store.set_status(tran_id, status)
                    records[index] = dataclasses.replace(record, status=status)
                    return records[index]
        raise UnknownRecord(tran_id)

    def repays(
        self,
        account: str,
        asset: str | None = None,
        tran_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> list[RepayRecord]:
        """Matching records of one account, newest first (times inclusive)."""
        with self._lock:
            records = list(self._state.repays.get(account, ()))
        return _matching(records, asset, tran_id, start_ms, end_ms)

    # -- loans ----------------------------------------------------------------------------

    def borrow(self, account: str, asset: str, amount: Decimal, timestamp_ms: int) -> LoanRecord:
        """Apply `settle_borrow` (with the account's limit for the asset) and record the loan,
        CONFIRMED, under the next tranId (the repays' sequence). UnknownAccount if there is no
        such account; a refused borrow (BorrowLimitExceeded) changes nothing."""
        with self._lock:
            self._require_account(account)
            state = self._state
            limit = state.limits.get(account, {}).get(asset)
            after = settle_borrow(state.balances.get(account, {}).get(asset), limit, asset, amount)
            record = LoanRecord(
                state.next_tran_id,
                account,
                asset,
                quantize8(amount),
                STATUS_CONFIRMED,
                timestamp_ms,
            )
            if self._store is not None:
                self._store.add_loan(record, after)
            state.balances.setdefault(account, {})[asset] = after
            state.loans.setdefault(account, []).append(record)
            state.next_tran_id = record.tran_id + 1
        return record

    def loans(
        self,
        account: str,
        asset: str | None = None,
        tran_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> list[LoanRecord]:
        """Matching loan records of one account, newest first (times inclusive)."""
        with self._lock:
            records = list(self._state.loans.get(account, ()))
        return _matching(records, asset, tran_id, start_ms, end_ms)

    def last_activity(self, account: str) -> dict[str, int]:
        """Per asset, the timestamp of its newest repay or loan record (assets without any
        are left out)."""
        with self._lock:
            records = [*self._state.repays.get(account, ()), *self._state.loans.get(account, ())]
        latest: dict[str, int] = {}
        for record in records:
            latest[record.asset] = max(latest.get(record.asset, record.timestamp), record.timestamp)
        return latest


R = TypeVar("R", RepayRecord, LoanRecord)


def _matching(
    records: list[R],
    asset: str | None,
    tran_id: int | None,
    start_ms: int | None,
    end_ms: int | None,
) -> list[R]:
    """The records that match every filter given, newest first (times inclusive)."""
    return [
        record
        for record in reversed(records)
        if (asset is None or record.asset == asset)
        and (tran_id is None or record.tran_id == tran_id)
        and (start_ms is None or record.timestamp >= start_ms)
        and (end_ms is None or record.timestamp <= end_ms)
    ]
