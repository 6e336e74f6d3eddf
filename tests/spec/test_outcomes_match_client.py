"""The spec's `x-outcome`, the client's table of outcomes (`auth_plugin.safe.outcomes`) and
its classifier agree, row by row, and the retry policy treats each outcome so:

- `rejected`: a `RequestRejected` that is not one of the wait-and-resend kinds; `executed` is
  False; never resent as is (a -1021 only after a clock re-sync, as a new request);
- `not-executed`: `RateLimited`, `Banned` or `ServiceUnavailable`; `executed` is False;
- `unknown`: `OutcomeUnknown`; `executed` is None; a repay is never resent.

Both directions are walked: every documented status and body of the spec through the table
and the classifier, and every row of the table through the classifier and the spec.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from auth_plugin import (
    Banned,
    OutcomeUnknown,
    PapiError,
    RateLimited,
    RequestRejected,
    ServiceUnavailable,
    TimestampRejected,
)
from auth_plugin.safe.classify import binance_error_body, error_from_response
from auth_plugin.safe.outcomes import TABLE, Row, outcome_of
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.safe.retry_policy import RetryPolicy
from tests.spec.spec_doc import SPEC, documented_messages, operations, resolve

WAIT_KINDS = (RateLimited, Banned, ServiceUnavailable)
CONTEXT = LoanRequest("USDT", "1", 1_700_000_000_000, 5000, sent_id="s1")
# Statuses that stand for a range: every explicitly listed status is excluded from its range.
RANGE_SAMPLES = {"4XX": (402, 404, 405, 409, 415, 499), "5XX": (501, 505, 520, 599)}
# Bodies no row reads a code from: each gets the outcome of the response it comes with.
UNDOCUMENTED = (
    b"",
    b"<html>oops</html>",
    b'{"oops": 1}',
    b'{"code": -1000, "msg": "Something else."}',
)
# For rows that match any status: the statuses they are tried with.
ANY_STATUS = (200, 302, 400, 401, 403, 404, 408, 418, 429, 500, 502, 503, 504)
LEGEND = set(SPEC["info"]["x-outcome-legend"])
SOURCES = set(SPEC["info"]["x-source-legend"])


def _statuses(status: str, operation: dict[str, Any]) -> tuple[int, ...]:
    if status in RANGE_SAMPLES:
        assert not {str(s) for s in RANGE_SAMPLES[status]} & set(operation["responses"])
        return RANGE_SAMPLES[status]
    return (int(status),)


def _body(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


def _names(source: Any) -> set[str]:
    if isinstance(source, str):
        return {source}
    items = source.values() if isinstance(source, dict) else source
    return set().union(*(_names(item) for item in items))


def _row(status: int, body: bytes) -> Row:
    return outcome_of(status, *binance_error_body(body))


def _cases() -> list[tuple[str, int, bytes, str, set[str]]]:
    """(operation, status, body, the spec's outcome, the sources of the node that says it)."""
    cases = []
    for path, method, operation in operations():
        label = f"{method.upper()} {path}"
        for status, reference in operation["responses"].items():
            if status.startswith("2"):
                continue
            response = resolve(reference)
            bodies = [
                (_body(example["value"]), example["x-outcome"], _names(example["x-source"]))
                for s, _, _, example in documented_messages(operation)
                if s == status
            ]
            default = (response["x-outcome"], _names(response["x-source"]))
            bodies += [(body, *default) for body in UNDOCUMENTED]
            for code in _statuses(status, operation):
                for body, outcome, sources in bodies:
                    cases.append((label, code, body, outcome, sources))
    return cases


CASES = _cases()


def _classify(status: int, body: bytes) -> PapiError:
    headers = {"Retry-After": "1"} if status in (418, 429) else {}
    return error_from_response(status, headers, body, CONTEXT)


def _assert_class_has_outcome(error: PapiError, outcome: str) -> None:
    if outcome == "unknown":
        assert isinstance(error, OutcomeUnknown), type(error)
        assert error.executed is None
    elif outcome == "not-executed":
        assert isinstance(error, WAIT_KINDS), type(error)
        assert error.executed is False
    else:
        assert outcome == "rejected", outcome
        assert isinstance(error, RequestRejected) and not isinstance(error, WAIT_KINDS), type(error)
        assert error.executed is False


def _assert_never_resent_blindly(error: PapiError, outcome: str) -> None:
    """What a repay (not idempotent) may do after `error`, at any retry of a large budget."""
    policy = RetryPolicy(max_retries=5)
    for retry_number in range(1, 6):
        step = policy.next_step(error, retry_number)
        if outcome == "unknown":
            assert step is None
        elif outcome == "rejected":
            # Only a -1021 is sent again, as a new request after the clock is re-synced.
            assert step is None or (isinstance(error, TimestampRejected) and step.resync_clock)


# -- from the spec: every documented status and body ---------------------------------------


@pytest.mark.parametrize(
    ("label", "status", "body", "outcome", "sources"),
    CASES,
    ids=[f"{label} {status} {body[:40]!r}" for label, status, body, _, _ in CASES],
)
def test_the_table_and_the_client_class_match_the_specs_outcome(
    label: str, status: int, body: bytes, outcome: str, sources: set[str]
) -> None:
    row, error = _row(status, body), _classify(status, body)
    assert row.outcome == outcome, (status, body, row)
    assert type(error) is row.error, (status, body, type(error), row)
    _assert_class_has_outcome(error, outcome)


@pytest.mark.parametrize(
    ("label", "status", "body", "outcome", "sources"),
    CASES,
    ids=[f"{label} {status} {body[:40]!r}" for label, status, body, _, _ in CASES],
)
def test_retry_policy_never_resends_a_repay_the_spec_says_may_have_run(
    label: str, status: int, body: bytes, outcome: str, sources: set[str]
) -> None:
    _assert_never_resent_blindly(_classify(status, body), outcome)


def test_every_outcome_in_the_spec_is_in_the_legend() -> None:
    assert set(SPEC["info"]["x-outcome-legend"]) == {"rejected", "not-executed", "unknown"}
    assert {outcome for _, _, _, outcome, _ in CASES} == LEGEND


def test_the_spec_covers_each_client_class() -> None:
    kinds = {type(_classify(status, body)) for _, status, body, _, _ in CASES}
    assert {row.error for row in TABLE} <= kinds


# -- from the table: every row ------------------------------------------------------------

ROW_IDS = [f"{index}-{row.outcome}-{row.error.__name__}" for index, row in enumerate(TABLE)]


def _samples(row: Row) -> list[tuple[int, bytes]]:
    """Answers the row is meant for: the ends of its ranges, or a spread where it has none."""
    statuses = (row.statuses[0], row.statuses[-1]) if row.statuses is not None else ANY_STATUS
    if row.codes is not None:
        msg = row.msg or "Any message."
        bodies = [_body({"code": code, "msg": msg}) for code in (row.codes[0], row.codes[-1])]
    elif row.msg is not None:
        bodies = [_body({"code": -1000, "msg": row.msg})]
    else:
        bodies = list(UNDOCUMENTED)
    return [(status, body) for status in statuses for body in bodies]


def _spec_says(operation: dict[str, Any], status: int, body: bytes) -> str | None:
    """The outcome the spec states for this answer to `operation`, None if it states none.

    A documented message states its own; a response states the outcome of any other body,
    except that a 4xx's prose, not its `x-outcome`, covers the codes it does not list (the
    refusal families, e.g. -1105 with a 400, and -1006/-1007): those are checked against the
    documented messages only (the spec-side tests above).
    """
    responses = operation["responses"]
    reference = responses.get(str(status)) or responses.get(f"{status // 100}XX")
    if reference is None or str(status).startswith("2"):
        return None
    response = resolve(reference)
    answer = json.loads(body) if body.startswith(b"{") else body.decode()
    for content in response.get("content", {}).values():
        for example in content.get("examples", {}).values():
            if resolve(example)["value"] == answer:
                return str(resolve(example)["x-outcome"])
    if 400 <= status < 500 and _row(status, body).codes is not None:
        return None
    return str(response["x-outcome"])


@pytest.mark.parametrize("row", TABLE, ids=ROW_IDS)
def test_each_row_names_an_outcome_a_class_and_a_source_of_the_legend(row: Row) -> None:
    assert row.outcome in LEGEND
    assert row.source in SOURCES
    _assert_class_has_outcome(row.error("x"), row.outcome)


@pytest.mark.parametrize("row", TABLE, ids=ROW_IDS)
def test_each_row_decides_its_answers_and_the_spec_agrees(row: Row) -> None:
    decided_here = 0
    for status, body in _samples(row):
        decider = _row(status, body)
        # The first matching row decides: an earlier one may take a sample, a later one never.
        assert TABLE.index(decider) <= TABLE.index(row), (status, body, decider)
        if decider is not row:
            continue
        decided_here += 1
        error = _classify(status, body)
        assert type(error) is row.error, (status, body, type(error))
        _assert_class_has_outcome(error, row.outcome)
        _assert_never_resent_blindly(error, row.outcome)
        for _, _, operation in operations():
            said = _spec_says(operation, status, body)
            assert said in (None, row.outcome), (operation["operationId"], status, body, said)
    assert decided_here, f"no answer of its own reaches {row}"


@pytest.mark.parametrize("row", TABLE, ids=ROW_IDS)
def test_each_row_is_in_the_spec_with_its_outcome_and_its_source(row: Row) -> None:
    """The spec documents answers the row decides, with the row's outcome, and among them
    one whose `x-source` names the row's source."""
    stated = [(outcome, sources) for _, s, b, outcome, sources in CASES if _row(s, b) is row]
    assert stated, f"the spec documents no answer of {row}"
    assert {outcome for outcome, _ in stated} == {row.outcome}
    assert any(row.source in sources for _, sources in stated), (row, stated)
