"""One sandbox instance's state: clock, ledger, keyring, limiter, faults and counters, the
requests held by queue faults and the records hidden by record_lag."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from papi_sandbox.accounts import AccountSpec, load_accounts_file
from papi_sandbox.clock import Clock
from papi_sandbox.config import SandboxConfig
from papi_sandbox.counters import RequestCounters
from papi_sandbox.faults import FaultBoard
from papi_sandbox.held_requests import HeldRequests
from papi_sandbox.ledger import Ledger
from papi_sandbox.ratelimit import RateLimiter
from papi_sandbox.record_visibility import HiddenRecords
from papi_sandbox.signatures import KeyType, Verifier, make_verifier


@dataclass(frozen=True)
class Account:
    name: str
    api_key: str
    key_type: KeyType
    verifier: Verifier


class Sandbox:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = Clock(self.config.clock_offset_ms)
        self.ledger = Ledger(self.config.db_path)
        self.rate_limiter = RateLimiter(
            weight_limit=self.config.weight_limit,
            window_seconds=self.config.window_seconds,
            ban_after_rejections=self.config.ban_after_rejections,
            ban_seconds=self.config.ban_seconds,
        )
        self.faults = FaultBoard()
        self.held = HeldRequests(self.clock)
        self.hidden = HiddenRecords()
        self.counters = RequestCounters()
        self._lock = threading.Lock()
        self._by_api_key: dict[str, Account] = {}
        self._load_accounts()

    def _load_accounts(self) -> None:
        with self._lock:
            for stored in self.ledger.accounts():
                self._remember(stored.name, stored.api_key, stored.key_type, stored.key)
        seeds = list(self.config.accounts)
        if self.config.accounts_file is not None:
            seeds = load_accounts_file(self.config.accounts_file) + seeds
        for spec in seeds:
            # A persisted ledger keeps what it learned; seeds only add assets it lacks.
            self.add_account(spec, replace_balances=False)

    def reset(self) -> None:
        """Back to the configured starting point, as if freshly started on an empty ledger:
        accounts re-seeded, clock, limits, faults, counters cleared, held requests answered
        -1021 unexecuted, no record hidden. tranIds go on above every one issued before (see
        Ledger.wipe). Wipes a file-backed ledger too. Meant for between tests, not during
        requests."""
        self.faults.clear()
        self.held.clear()
        with self._lock:
            self._by_api_key.clear()
        self.ledger.wipe()
        self.hidden.clear()
        self.clock.reset(self.config.clock_offset_ms)
        self.rate_limiter.reset()
        self.counters.reset()
        self._load_accounts()

    def add_account(self, spec: AccountSpec, replace_balances: bool = True) -> Account:
        """Create or replace an account (by name). Raises ValueError if the api key is taken."""
        with self._lock:
            holder = self._by_api_key.get(spec.api_key)
            if holder is not None and holder.name != spec.name:
                raise ValueError(f"api key already belongs to account {holder.name!r}")
            self.ledger.save_account(spec, replace_balances)
            return self._remember(spec.name, spec.api_key, spec.key_type, spec.key)

    def _remember(self, name: str, api_key: str, key_type: KeyType, key: str) -> Account:
        account = Account(name, api_key, key_type, make_verifier(key_type, key))
        stale = [k for k, held in self._by_api_key.items() if held.name == name]
        for old_key in stale:
            del self._by_api_key[old_key]
        self._by_api_key[api_key] = account
        return account

    def account_for_key(self, api_key: str) -> Account | None:
        with self._lock:
            return self._by_api_key.get(api_key)

    def accounts(self) -> list[Account]:
        with self._lock:
            return sorted(self._by_api_key.values(), key=lambda account: account.name)

    def close(self) -> None:
        self.ledger.close()
