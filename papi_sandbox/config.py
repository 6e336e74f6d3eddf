"""Everything a sandbox instance can be started with; defaults are Binance's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from papi_sandbox.accounts import AccountSpec
from papi_sandbox.deadlines import DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, check_timeout

# Shorter tokens could be guessed by a page that tries many.
MIN_ADMIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class SandboxConfig:
    accounts: tuple[AccountSpec, ...] = ()
    accounts_file: Path | None = None
    db_path: Path | None = None  # None: in-memory ledger, gone when the process ends
    enable_admin: bool = False
    # Required with admin_beyond_loopback: admin requests must carry it as a Bearer token.
    admin_token: str | None = field(default=None, repr=False)
    # Serve the admin API to any Host (a server on a LAN address), token-protected.
    admin_beyond_loopback: bool = False
    weight_limit: int = 6000  # request weight per client IP per window
    window_seconds: float = 60.0
    ban_after_rejections: int = 3  # 429s tolerated in a row before the next one becomes a ban
    ban_seconds: float = 120.0
    clock_offset_ms: int = 0  # server clock = wall clock + offset (a skewed server)
    # Slow clients (see deadlines.py): seconds to send a request's head, then its body.
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT

    def __post_init__(self) -> None:
        check_timeout(self.header_timeout, "header_timeout")
        check_timeout(self.body_timeout, "body_timeout")
        if self.admin_token is not None and not (
            len(self.admin_token) >= MIN_ADMIN_TOKEN_LENGTH
            and self.admin_token.isascii()
            and self.admin_token.isprintable()
            and " " not in self.admin_token
        ):
            raise ValueError(
                f"the admin token must be at least {MIN_ADMIN_TOKEN_LENGTH} printable ASCII "
                "characters without spaces"
            )
        if self.admin_beyond_loopback and self.admin_token is None:
            raise ValueError("an admin API served beyond loopback needs an admin token")
