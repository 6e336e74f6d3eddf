"""The ledger in plain dicts behind one lock: the default, for a sandbox started without --db.

Holds exactly what `SqliteLedger` would hold and answers exactly as it would (amounts quantized
to 8 places, the same orders, the same errors), at a fraction of the cost per repay. Every
method validates and computes first and changes state last, so a failure changes nothing.
"""

from __future__ import annotations

import dataclasses
import threading
from decimal import Decimal
from typing import TypeVar

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
    merged_balance,
    quantize8,
    settle_borrow,
    settle_repay,
    wall_clock_tran_id,
)


class MemoryLedger(Ledger):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, StoredAccount] = {}
        # Like the SQLite tables, balances and records are keyed by account name and outlive
        # the account's key row (an account replaced by name keeps them).
        self._balances: dict[str, dict[str, Balance]] = {}
        self._records: dict[str, list[RepayRecord]] = {}  # oldest (lowest tranId) first
        self._loans: dict[str, list[LoanRecord]] = {}  # oldest (lowest tranId) first
        self._limits: dict[str, dict[str, Decimal]] = {}
        self._next_tran_id = wall_clock_tran_id()

    def close(self) -> None:
        pass

    def wipe(self) -> None:
        with self._lock:
            self._accounts.clear()
            self._balances.clear()
            self._records.clear()
            self._loans.clear()
            self._limits.clear()
            self._next_tran_id = max(self._next_tran_id, wall_clock_tran_id())

    # -- accounts -------------------------------------------------------------------------

    def save_account(self, spec: AccountSpec, replace_balances: bool) -> None:
        with self._lock:
            for held in self._accounts.values():
                if held.api_key == spec.api_key and held.name != spec.name:
                    # SQLite's UNIQUE constraint; Sandbox.add_account refuses this first.
                    raise ValueError(f"api key already belongs to account {held.name!r}")
            seeds = {
                asset: Balance(seed.principal, seed.interest, seed.free).stored()
                for asset, seed in spec.assets.items()
            }
            self._accounts[spec.name] = StoredAccount(
                spec.name, spec.api_key, spec.key_type, spec.key
            )
            if replace_balances:
                self._balances[spec.name] = {}
                self._limits[spec.name] = {}
            held_assets = self._balances.setdefault(spec.name, {})
            limits = self._limits.setdefault(spec.name, {})
            for asset, balance in seeds.items():
                held_assets.setdefault(asset, balance)
            # Limits are configuration: the seed's always apply, also over a kept ledger.
            for asset, seed in spec.assets.items():
                if seed.borrow_limit is not None:
                    limits[asset] = quantize8(seed.borrow_limit)

    def accounts(self) -> list[StoredAccount]:
        with self._lock:
            return sorted(self._accounts.values(), key=lambda account: account.name)

    def _require_account(self, account: str) -> None:
        if account not in self._accounts:
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
        with self._lock:
            self._require_account(account)
            held = self._balances.get(account, {})
            updated = merged_balance(held.get(asset), principal, interest, free)
            stored = updated.stored()
            self._balances.setdefault(account, {})[asset] = stored
        return updated

    def balances(self, account: str) -> dict[str, Balance]:
        with self._lock:
            self._require_account(account)
            return dict(sorted(self._balances.get(account, {}).items()))

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
        with self._lock:
            held = self._balances.get(account, {})  # a throwaway {}: settle_repay refuses it
            settled = settle_repay(held.get(asset), asset, amount)
            tran_id = self._next_tran_id
            stored = RepayRecord(
                tran_id,
                account,
                asset,
                settled.stored_amount,
                settled.stored_interest,
                settled.stored_principal,
                status,
                timestamp_ms,
            )
            held[asset] = settled.balance
            self._next_tran_id = tran_id + 1
            self._records.setdefault(account, []).append(stored)
        # What SqliteLedger returns: the amounts as computed, not as stored.
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

    def set_record_status(self, account: str, tran_id: int, status: str) -> RepayRecord:
        check_status(status)
        with self._lock:
            self._require_account(account)
            records = self._records.get(account, [])
            for index, record in enumerate(records):
                if record.tran_id == tran_id:
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
        with self._lock:
            records = list(self._records.get(account, ()))
        return _matching(records, asset, tran_id, start_ms, end_ms)

    def repay_debt(
        self, account: str, asset: str, amount: Decimal | None, timestamp_ms: int
    ) -> RepayRecord:
        with self._lock:
            held = self._balances.get(account, {})
            due = debt_to_repay(held.get(asset), asset, amount)
            settled = settle_repay(held.get(asset), asset, due)
            stored = RepayRecord(
                self._next_tran_id,
                account,
                asset,
                settled.stored_amount,
                settled.stored_interest,
                settled.stored_principal,
                STATUS_CONFIRMED,
                timestamp_ms,
            )
            held[asset] = settled.balance
            self._next_tran_id += 1
            self._records.setdefault(account, []).append(stored)
        return stored

    def borrow(self, account: str, asset: str, amount: Decimal, timestamp_ms: int) -> LoanRecord:
        with self._lock:
            self._require_account(account)
            held = self._balances.setdefault(account, {})
            limit = self._limits.get(account, {}).get(asset)
            after = settle_borrow(held.get(asset), limit, asset, amount)
            record = LoanRecord(
                self._next_tran_id,
                account,
                asset,
                quantize8(amount),
                STATUS_CONFIRMED,
                timestamp_ms,
            )
            held[asset] = after
            self._next_tran_id += 1
            self._loans.setdefault(account, []).append(record)
        return record

    def loans(
        self,
        account: str,
        asset: str | None = None,
        tran_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> list[LoanRecord]:
        with self._lock:
            records = list(self._loans.get(account, ()))
        return _matching(records, asset, tran_id, start_ms, end_ms)

    def add_interest(self, account: str, asset: str, interest: Decimal) -> Balance:
        with self._lock:
            self._require_account(account)
            held = self._balances.setdefault(account, {})
            after = added_interest(held.get(asset), interest)
            held[asset] = after
        return after

    def set_borrow_limit(self, account: str, asset: str, limit: Decimal | None) -> None:
        with self._lock:
            self._require_account(account)
            limits = self._limits.setdefault(account, {})
            if limit is None:
                limits.pop(asset, None)
            else:
                limits[asset] = quantize8(limit)

    def borrow_limits(self, account: str) -> dict[str, Decimal]:
        with self._lock:
            self._require_account(account)
            return dict(sorted(self._limits.get(account, {}).items()))

    def last_activity(self, account: str) -> dict[str, int]:
        latest: dict[str, int] = {}
        with self._lock:
            records = [*self._records.get(account, ()), *self._loans.get(account, ())]
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
