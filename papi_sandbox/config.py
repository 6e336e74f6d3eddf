"""Everything a sandbox instance can be started with; defaults are Binance's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from papi_sandbox.accounts import AccountSpec


@dataclass(frozen=True)
class SandboxConfig:
    accounts: tuple[AccountSpec, ...] = ()
    accounts_file: Path | None = None
    db_path: Path | None = None  # None: in-memory ledger, gone when the process ends
    enable_admin: bool = False
    weight_limit: int = 6000  # request weight per client IP per window
    window_seconds: float = 60.0
    ban_after_rejections: int = 3  # 429s tolerated in a row before the next one becomes a ban
    ban_seconds: float = 120.0
    clock_offset_ms: int = 0  # server clock = wall clock + offset (a skewed server)
