"""What a driver hands the flow after a `Call`: the server's answer, or why none came.

Plain values, built by the driver (`auth_plugin.safe.wire` makes them from httpx): the flow
reads status, headers and body without knowing which HTTP library fetched them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass


class Headers(Mapping[str, str]):
    """Response headers as received (raw byte pairs), looked up by name in any case; a
    repeated header reads as its values joined by ", "."""

    __slots__ = ("raw",)

    def __init__(self, raw: Sequence[tuple[bytes, bytes]]) -> None:
        self.raw = raw

    def __getitem__(self, name: str) -> str:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        wanted = name.lower().encode("latin-1")
        found: str | None = None
        for key, value in self.raw:
            if key.lower() == wanted:
                text = value.decode("latin-1")
                found = text if found is None else f"{found}, {text}"
        return default if found is None else found

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key.decode("latin-1").lower() for key, _ in self.raw))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Headers({dict(self)!r})"


@dataclass(frozen=True, slots=True)
class Reply:
    """The server answered: HTTP status, headers, and the whole body."""

    status: int
    headers: Headers
    body: bytes


@dataclass(frozen=True, slots=True)
class NoReply:
    """No answer came. `sent` is False only when the request provably never left (the
    connection could not be opened); `reason` names the failure (secrets redacted)."""

    sent: bool
    reason: str
