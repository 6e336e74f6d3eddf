"""schemathesis proves the sandbox keeps its contract (openapi.yaml + the sandbox overlay), with
every request signed by auth_plugin and schemathesis' own positive-data check on.

Each test stands alone: none reads what another one left behind, and each module-scoped
fixture starts its own sandbox, so any order, any subset, gives the same verdicts.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from papi_sandbox.testing import ServedSandbox, running_sandbox
from tests.contract import hooks
from tests.contract.overlaid_spec import sandbox_spec
from tests.contract.seed import contract_account
from tests.contract.signing import API_KEY_ENV, SECRET_ENV

CONFIG = Path(__file__).with_name("schemathesis.toml")

# The schema is loaded at import (schemathesis' lazy pytest loader breaks on pytest 9), so the
# throwaway key it reads from the environment must exist by then.
ACCOUNT, KEY = contract_account()
assert KEY.secret is not None
os.environ[API_KEY_ENV] = KEY.api_key
os.environ[SECRET_ENV] = KEY.secret

schema = schemathesis.openapi.from_dict(
    sandbox_spec(), config=SchemathesisConfig.from_path(str(CONFIG))
)
CHECKS = [hooks.positive_refusal_is_an_exemption]
# The same draws on every machine, in every order: no example database, no health checks that
# depend on the machine's speed.
DETERMINISTIC: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


def _sandbox() -> Any:
    # Rate limiting is tested on its own (tests/sandbox); here it would only turn cases into 429s.
    return running_sandbox(accounts=(ACCOUNT,), weight_limit=10**9)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ServedSandbox]:
    with _sandbox() as handle:
        yield handle


@schema.parametrize()
@settings(**DETERMINISTIC)
def test_every_operation_conforms(case: Any, sandbox: ServedSandbox) -> None:
    case.call_and_validate(base_url=sandbox.base_url, additional_checks=CHECKS)


@dataclass
class PositiveRun:
    """Valid requests to every operation, against a sandbox of their own, and what came back."""

    sandbox: ServedSandbox
    successes: Counter[str] = field(default_factory=Counter)
    form_body_repays: Counter[int] = field(default_factory=Counter)

    def record(self, case: Any, response: Any) -> None:
        if response.status_code == 200:
            self.successes[case.operation.path] += 1
        if case.operation.path == hooks.REPAY and hooks.sent_as_form_body(response):
            self.form_body_repays[response.status_code] += 1


@pytest.fixture(scope="module")
def positive_run() -> Iterator[PositiveRun]:
    """Its own sandbox and its own counters: the tests below hold whatever ran before them."""
    with _sandbox() as handle:
        run = PositiveRun(handle)
        for result in schema.get_all_operations():
            operation = result.ok()
            strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)

            @given(strategy)
            @settings(max_examples=80, phases=[Phase.generate], **DETERMINISTIC)
            def call(case: Any) -> None:
                response = case.call_and_validate(
                    base_url=handle.base_url, additional_checks=CHECKS
                )
                run.record(case, response)

            call()
        yield run


def test_the_run_checked_successful_repays_and_record_queries(positive_run: PositiveRun) -> None:
    # Conformance must be checked on 200s, not only on errors.
    sandbox = positive_run.sandbox
    assert len(sandbox.ledger.repays("contract")) >= 20
    assert len(sandbox.ledger.loans("contract")) >= 10
    assert sandbox.counters.get("GET", hooks.RECORDS) > 0


def test_every_operation_answered_200_at_least_once(positive_run: PositiveRun) -> None:
    paths = {path for path in sandbox_spec()["paths"]}
    assert paths <= set(positive_run.successes), dict(positive_run.successes)


def test_signed_form_body_repays_are_among_the_cases(positive_run: PositiveRun) -> None:
    """Some valid repays went with their parameters in a form body (timestamp and signature in
    the query string), the placement `x-binance-parameter-locations` declares, and succeeded."""
    assert positive_run.form_body_repays[200] >= 3, dict(positive_run.form_body_repays)


def test_loan_lifecycle_stateful() -> None:
    """schemathesis' stateful phase follows the spec's links: borrow -> its loan record (txId =
    tranId) -> repay that loan -> its repay record -> the asset's balance; and repay-debt ->
    balance and repay record."""
    successes: Counter[str] = Counter()
    with _sandbox() as sandbox:

        class Workflow(schema.as_state_machine()):  # type: ignore[misc]
            def setup(self) -> None:
                # Each scenario starts from the seeded ledger, so the same draws meet the same
                # answers (Hypothesis checks that a replayed prefix behaves alike).
                sandbox.reset()

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"base_url": sandbox.base_url}

            def validate_response(
                self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
            ) -> None:
                if response.status_code == 200:
                    successes[case.operation.path] += 1
                extra = [*(additional_checks or []), *CHECKS]
                super().validate_response(response, case, additional_checks=extra, **kwargs)

        Workflow.run(
            # No shrinking or replay: a step's enabled-ness depends on what the server answered
            # before (links), so replaying a run against a changed ledger draws differently and
            # Hypothesis would call the strategy flaky. A failure still fails.
            settings=settings(
                max_examples=80,
                stateful_step_count=8,
                phases=[Phase.explicit, Phase.generate],
                **DETERMINISTIC,
            )
        )
    chain = {hooks.BORROW, hooks.LOAN_RECORDS, hooks.REPAY, hooks.RECORDS, hooks.BALANCE}
    assert chain <= set(successes), dict(successes)
