"""The start-up baseline: the benchmark scaffolding alone, no client library imported."""

from __future__ import annotations

LABEL = "baseline: interpreter + loopback guard + this scaffolding, no client"
NOTE = "subtract from the start-up rows to get the library's own cost"


class NoClient:
    def repay(self) -> None:
        raise NotImplementedError("the baseline only exists for the start-up benchmark")

    def close(self) -> None:
        pass


def build(base_url: str, api_key: str, secret: str) -> NoClient:
    return NoClient()
