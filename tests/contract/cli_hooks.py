"""Hooks for `make contract` (the schemathesis CLI): the shared ones plus a whole-run check."""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.contract import hooks  # noqa: F401  (registers the shared hooks and checks)


@schemathesis.check
class RepaySucceededAtLeastOnce:
    """Fail the run if no repay ever returned 200: conformance must be checked on successes too."""

    def __init__(self) -> None:
        self.succeeded: set[str] = set()

    def after_response(self, ctx: Any, response: Any, case: Any) -> None:
        if response.status_code == 200:
            self.succeeded.add(case.operation.path)

    def after_run(self, ctx: Any) -> None:
        missing = {"/papi/v1/repayLoan", "/papi/v1/margin/repayLoan"} - self.succeeded
        if missing:
            raise AssertionError(f"no 200 from {sorted(missing)} in the whole run")
