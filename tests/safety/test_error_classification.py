"""Answers the sandbox can't produce (proxy HTML, unlisted statuses, broken 200s) still map to
the documented error, through the real client and the generated parser (MockTransport)."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from auth_plugin import (
    AuthError,
    Banned,
    BusinessRejection,
    InvalidRequest,
    OutcomeUnknown,
    PapiError,
    RateLimited,
    RepayClient,
    RequestRejected,
    RetryPolicy,
    ServiceUnavailable,
    TimestampRejected,
)
from auth_plugin.safe.classify import (
    binance_error_body,
    error_from_response,
    retry_after_seconds,
)
from auth_plugin.safe.outcomes import TABLE, Row, outcome_of
from auth_plugin.safe.reconcile import LoanRequest
from papi_sandbox.testing import generate_key
from tests.safety.helpers import FakeTime, credentials_for

HTML = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"


def _answer(status: int, body: bytes | dict | list | None, headers: dict | None = None):
    parsed = isinstance(body, dict | list)
    content = json.dumps(body).encode() if parsed else (body or b"")
    kind = "application/json" if parsed else "text/html"
    return status, content, {"content-type": kind, **(headers or {})}


class Server:
    """A MockTransport handler answering every request the same way, counting them."""

    def __init__(self, status, content, headers):
        self.status, self.content, self.headers = status, content, headers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, content=self.content, headers=self.headers)


@pytest.fixture(scope="module")
def creds():
    return credentials_for(generate_key("hmac"))


def _repay_against(server: Server, creds, **kwargs) -> PapiError:
    fake = FakeTime()
    client = RepayClient(
        "http://127.0.0.1:9",
        creds,
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        httpx_args={"transport": httpx.MockTransport(server)},
        **kwargs,
    )
    with client, pytest.raises(PapiError) as caught:
        client.repay("BTC", "0.01")
    return caught.value


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (_answer(503, HTML), OutcomeUnknown),
        (_answer(502, HTML), OutcomeUnknown),  # a status the spec doesn't list
        (_answer(504, None), OutcomeUnknown),
        (_answer(599, None), OutcomeUnknown),  # not even a standard status
        (_answer(500, {"code": -1000, "msg": "An unknown error occurred."}), OutcomeUnknown),
        (_answer(503, {"code": -1000, "msg": "Unknown error, please ..."}), OutcomeUnknown),
        (_answer(200, {}), OutcomeUnknown),  # executed, presumably, but no tranId
        (_answer(200, HTML), OutcomeUnknown),
        (_answer(200, {"tranId": "12"}), OutcomeUnknown),
        (_answer(302, None, {"location": "/elsewhere"}), OutcomeUnknown),
        (_answer(400, {"code": -1102, "msg": "Mandatory parameter 'amount' ..."}), InvalidRequest),
        (_answer(400, {"code": -1111, "msg": "Precision is over the maximum"}), InvalidRequest),
        (_answer(400, {"code": -1022, "msg": "Signature ... not valid."}), AuthError),
        (_answer(401, {"code": -2014, "msg": "API-key format invalid."}), AuthError),
        (_answer(400, {"code": -3016, "msg": "Repay amount less than minimum"}), BusinessRejection),
        (_answer(403, HTML), RequestRejected),  # a WAF page
        # The documented refusals are still rejections (-1021: below, without the re-sync).
        (_answer(400, {"code": -1100, "msg": "Illegal characters found."}), InvalidRequest),
        (_answer(400, {"code": -3015, "msg": "Repay amount exceeds borrow."}), BusinessRejection),
        (_answer(401, {"code": -2015, "msg": "Invalid API-key, IP, or ..."}), AuthError),
        # "Execution status unknown" in Binance's words, whatever the status.
        (_answer(400, {"code": -1007, "msg": "Timeout waiting for response ..."}), OutcomeUnknown),
        (_answer(400, {"code": -1006, "msg": "An unexpected response ..."}), OutcomeUnknown),
        (_answer(408, HTML), OutcomeUnknown),
        (_answer(408, {"code": -1100, "msg": "Illegal characters found."}), OutcomeUnknown),
        # A 4xx whose body is not a documented refusal proves nothing.
        (_answer(400, None), OutcomeUnknown),
        (_answer(401, HTML), OutcomeUnknown),
        (_answer(404, {"oops": 1}), OutcomeUnknown),
        (_answer(400, {"code": -1000, "msg": "odd"}), OutcomeUnknown),
        (_answer(400, {"code": -1001, "msg": "Internal error; ..."}), OutcomeUnknown),
        (_answer(404, {"code": -1020, "msg": "This operation is not supported."}), OutcomeUnknown),
        (_answer(400, [1, 2]), OutcomeUnknown),
    ],
)
def test_each_answer_maps_to_its_error_and_is_sent_once(creds, answer, kind):
    server = Server(*answer)
    error = _repay_against(server, creds)
    assert type(error) is kind
    assert error.status == answer[0]
    assert len(server.requests) == 1
    if kind is OutcomeUnknown:
        assert error.executed is None
        assert (error.asset, error.amount) == ("BTC", "0.01")
        assert error.timestamp_ms == int(server.requests[0].url.params["timestamp"])
    else:
        assert error.executed is False


def _row_answer(row: Row) -> tuple[int, bytes, dict]:
    """One answer of the row's own: the first status and code of its ranges."""
    status = row.statuses[0] if row.statuses is not None else 400
    if row.codes is not None:
        return _answer(status, {"code": row.codes[0], "msg": row.msg or "Some message."})
    if row.msg is not None:
        return _answer(status, {"code": -1000, "msg": row.msg})
    return _answer(status, HTML)


@pytest.mark.parametrize("row", TABLE, ids=[f"{i}-{r.error.__name__}" for i, r in enumerate(TABLE)])
def test_each_row_of_the_table_through_the_client(creds, row):
    answer = _row_answer(row)
    server = Server(*answer)
    assert outcome_of(answer[0], *binance_error_body(answer[1])) is row
    error = _repay_against(server, creds, retry=RetryPolicy.none())
    assert type(error) is row.error
    assert len(server.requests) == 1
    assert error.executed is (None if row.outcome == "unknown" else False)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        # -1006, -1007 and 408 come first: nothing that says "unknown" is read as a refusal.
        (429, {"code": -1007, "msg": "Timeout waiting ..."}, OutcomeUnknown),
        (418, {"code": -1006, "msg": "An unexpected response ..."}, OutcomeUnknown),
        (403, {"code": -1007, "msg": "Timeout waiting ..."}, OutcomeUnknown),
        (503, {"code": -1007, "msg": "Service Unavailable."}, OutcomeUnknown),
        # Then the statuses that decide alone, before any code.
        (403, {"code": -1022, "msg": "Signature ... not valid."}, RequestRejected),
        (429, {"code": -1100, "msg": "Illegal characters found."}, RateLimited),
        # The refusal codes are refusals only with a 4xx.
        (500, {"code": -1100, "msg": "Illegal characters found."}, OutcomeUnknown),
        (502, {"code": -2015, "msg": "Invalid API-key, IP, or ..."}, OutcomeUnknown),
        (302, {"code": -3015, "msg": "Repay amount exceeds borrow."}, OutcomeUnknown),
    ],
)
def test_the_tables_precedence(status, body, kind):
    context = LoanRequest("BTC", "1", 1_700_000_000_000, 2000, sent_id="s1")
    error = error_from_response(status, {}, json.dumps(body).encode(), context)
    assert type(error) is kind


def test_a_1021_answer_is_a_timestamp_rejection(creds):
    server = Server(*_answer(400, {"code": -1021, "msg": "outside of the recvWindow."}))
    error = _repay_against(server, creds, retry=RetryPolicy(resync_clock=False))
    assert isinstance(error, TimestampRejected) and isinstance(error, AuthError)
    assert len(server.requests) == 1


def test_429_without_retry_after_backs_off_within_the_budget(creds):
    server = Server(*_answer(429, {"code": -1003, "msg": "Too many requests"}))
    error = _repay_against(server, creds)
    assert isinstance(error, RateLimited) and error.retry_after is None
    assert len(server.requests) == 3


def test_418_without_retry_after_is_assumed_to_last_two_minutes(creds):
    server = Server(*_answer(418, {"code": -1003, "msg": "Way too many requests"}))
    fake = FakeTime()
    client = RepayClient(
        "http://127.0.0.1:9",
        creds,
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        httpx_args={"transport": httpx.MockTransport(server)},
    )
    with client:
        with pytest.raises(Banned):
            client.repay("BTC", "0.01")
        fake.now += 119
        with pytest.raises(Banned) as local:
            client.repay("BTC", "0.01")
        assert not local.value.sent and local.value.retry_after == pytest.approx(1)
        assert len(server.requests) == 1


def test_service_unavailable_is_recognised_by_its_message_only():
    context = LoanRequest("BTC", "1", 1_700_000_000_000, 2000, sent_id="s1")
    headers = {"Retry-After": "3"}
    body = json.dumps({"code": -1000, "msg": "Service Unavailable."}).encode()
    error = error_from_response(503, headers, body, context)
    assert isinstance(error, ServiceUnavailable) and error.retry_after == 3
    assert error.headers == {"retry-after": "3"}
    other = json.dumps({"code": -1000, "msg": "Service Unavailable. Maybe."}).encode()
    assert isinstance(error_from_response(503, headers, other, context), OutcomeUnknown)
    assert isinstance(error_from_response(500, headers, body, context), OutcomeUnknown)


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds({"Retry-After": "7"}) == 7
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"Retry-After": "-1"}) is None
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    when = datetime.now(UTC) + timedelta(seconds=30)
    seconds = retry_after_seconds({"Retry-After": format_datetime(when, usegmt=True)})
    assert seconds is not None and 28 <= seconds <= 31


def test_errors_keep_their_facts_through_pickle():
    error = OutcomeUnknown(
        "lost",
        status=503,
        code=-1000,
        msg="Unknown error",
        headers={"X-MBX-USED-WEIGHT-1M": "100"},
        request=LoanRequest("BTC", "0.01", 1_700_000_000_000, 5000, sent_id="s1"),
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is OutcomeUnknown
    assert vars(copy) == vars(error)
    assert str(copy) == "lost"
    limited = pickle.loads(pickle.dumps(RateLimited("slow", status=429, retry_after=2.0)))
    assert (limited.retry_after, limited.sent, limited.status) == (2.0, True, 429)
    assert repr(limited) == "RateLimited('slow', status=429)"
