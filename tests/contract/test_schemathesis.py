"""schemathesis proves the spec and the sandbox agree, with every request signed by auth_plugin."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
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


def test_repay_then_its_record_stateful(sandbox: SandboxHandle) -> None:
    """schemathesis' stateful phase follows the spec's link from a repay's tranId to its record."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": sandbox.base_url}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            extra = [*(additional_checks or []), hooks.positive_data_accepted_unless_state_rejects]
            super().validate_response(response, case, additional_checks=extra, **kwargs)

    Workflow.run(
        settings=settings(
            max_examples=60,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_the_run_checked_successful_repays_and_record_queries(sandbox: SandboxHandle) -> None:
    # Conformance must be checked on 200s, not only on errors.
    assert len(sandbox.repays("contract")) >= 20
    assert sandbox.request_count("GET", "/papi/v1/margin/repayLoan") > 0


def test_signed_form_body_repays_are_among_the_cases(sandbox: SandboxHandle) -> None:
    """Some valid repays went with their parameters in a form body (timestamp and signature in
    the query string), the placement `x-binance-parameter-locations` declares, and succeeded."""
    assert hooks.FORM_BODY_REPAYS[200] >= 3, dict(hooks.FORM_BODY_REPAYS)
