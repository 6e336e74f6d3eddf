"""schemathesis proves the spec and the sandbox agree, with every request signed by auth_plugin."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from papi_sandbox.testing import SandboxHandle, running_sandbox
from tests.contract import hooks
from tests.contract.seed import contract_account
from tests.contract.signing import API_KEY_ENV, SECRET_ENV

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")

# The schema is loaded at import (schemathesis' lazy pytest loader breaks on pytest 9), so the
# throwaway key it reads from the environment must exist by then.
ACCOUNT, KEY = contract_account()
assert KEY.secret is not None
os.environ[API_KEY_ENV] = KEY.api_key
os.environ[SECRET_ENV] = KEY.secret

schema = schemathesis.openapi.from_path(
    ROOT / "openapi.yaml", config=SchemathesisConfig.from_path(str(CONFIG))
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxHandle]:
    # Rate limiting is tested on its own (tests/sandbox); here it would only turn cases into 429s.
    with running_sandbox(accounts=(ACCOUNT,), weight_limit=10**9) as handle:
        yield handle


@schema.parametrize()
# derandomize: the same cases on every machine and every run (the config's `deterministic`
# covers the CLI only).
@settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True)
def test_every_operation_conforms(case: Any, sandbox: SandboxHandle) -> None:
    case.call_and_validate(
        base_url=sandbox.base_url,
        additional_checks=[hooks.positive_data_accepted_unless_state_rejects],
    )


STATEFUL_SUCCESSES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxHandle]:
    """The stateful run's own server: it resets it per scenario, the module's keeps its ledger."""
    with running_sandbox(accounts=(ACCOUNT,), weight_limit=10**9) as handle:
        yield handle


def test_loan_lifecycle_stateful(own_sandbox: SandboxHandle) -> None:
    """schemathesis' stateful phase follows the spec's links: borrow -> its loan record (txId =
    tranId) -> repay that loan -> its repay record -> the asset's balance; and repay-debt ->
    balance and repay record."""
    sandbox = own_sandbox

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
                STATEFUL_SUCCESSES[case.operation.path] += 1
            extra = [*(additional_checks or []), hooks.positive_data_accepted_unless_state_rejects]
            super().validate_response(response, case, additional_checks=extra, **kwargs)

    Workflow.run(
        # Derandomized, and no shrinking or replay: a step's enabled-ness depends on what the
        # server answered before (links), so replaying a run against a changed ledger draws
        # differently and Hypothesis would call the strategy flaky. A failure still fails.
        settings=settings(
            max_examples=80,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    chain = {hooks.BORROW, hooks.LOAN_RECORDS, hooks.REPAY, hooks.RECORDS, hooks.BALANCE}
    assert chain <= set(STATEFUL_SUCCESSES), dict(STATEFUL_SUCCESSES)


def test_the_run_checked_successful_repays_and_record_queries(sandbox: SandboxHandle) -> None:
    # Conformance must be checked on 200s, not only on errors.
    assert len(sandbox.repays("contract")) >= 20
    assert len(sandbox.loans("contract")) >= 10
    assert sandbox.request_count("GET", "/papi/v1/margin/repayLoan") > 0


def test_every_operation_answered_200_at_least_once() -> None:
    paths = {hooks.REPAY, hooks.RECORDS, hooks.BALANCE, hooks.BORROW, hooks.LOAN_RECORDS}
    assert paths | {hooks.REPAY_DEBT, "/papi/v1/ping"} <= set(hooks.SUCCESSES), dict(
        hooks.SUCCESSES
    )


def test_signed_form_body_repays_are_among_the_cases(sandbox: SandboxHandle) -> None:
    """Some valid repays went with their parameters in a form body (timestamp and signature in
    the query string), the placement `x-binance-parameter-locations` declares, and succeeded."""
    assert hooks.FORM_BODY_REPAYS[200] >= 3, dict(hooks.FORM_BODY_REPAYS)
