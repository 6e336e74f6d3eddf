"""Hooks for `make contract` (the schemathesis CLI): the shared ones plus a whole-run check."""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.contract import hooks  # (registers the shared hooks and checks)

FORM_BODY_REPAY = "signed form-body repay"


@schemathesis.check
class RepaySucceededAtLeastOnce:
    """Fail the run if some operation never returned 200 (repay, record queries, balance,
    borrow, repay-debt), or no signed form-body repay did: conformance must be checked on
    successes too."""

    def __init__(self) -> None:
        self.succeeded: set[str] = set()

    def after_response(self, ctx: Any, response: Any, case: Any) -> None:
        if response.status_code == 200:
            self.succeeded.add(case.operation.path)
            if case.operation.path == hooks.REPAY and hooks.sent_as_form_body(response):
                self.succeeded.add(FORM_BODY_REPAY)

    def after_run(self, ctx: Any) -> None:
        wanted = {
            hooks.REPAY,
            hooks.RECORDS,
            hooks.BALANCE,
            hooks.BORROW,
            hooks.LOAN_RECORDS,
            hooks.REPAY_DEBT,
            FORM_BODY_REPAY,
        }
        missing = wanted - self.succeeded
        if missing:
            raise AssertionError(f"no 200 from {sorted(missing)} in the whole run")
