"""One record of a send: the `LoanRequest` made when a repay or borrow is signed is the very
object the ledger keeps, `OutcomeUnknown.request` carries, and reconciliation judges."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from auth_plugin import BorrowResult, OutcomeUnknown, RepayClient, RepayResult
from auth_plugin.safe.reconcile import LoanRequest
from papi_sandbox.testing import generate_key
from tests.safety.helpers import FakeTime, credentials_for


@pytest.mark.parametrize("kind", ["repay", "borrow"])
def test_the_record_of_a_lost_send_is_made_once_and_carried_everywhere(kind):
    signed: list[dict[str, list[str]]] = []

    def lost(request: httpx.Request) -> httpx.Response:
        signed.append(parse_qs(request.url.query.decode()))
        return httpx.Response(504, content=b"<html>gateway timeout</html>")

    fake = FakeTime()
    client = RepayClient(
        "http://127.0.0.1:9",
        credentials_for(generate_key("hmac")),
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        httpx_args={"transport": httpx.MockTransport(lost)},
    )
    with client, pytest.raises(OutcomeUnknown) as caught:
        getattr(client, kind)("BTC", "0.010")
    record = caught.value.request
    assert isinstance(record, LoanRequest)
    assert client.unresolved == (record,)
    assert client.unresolved[0] is record
    assert client.request_of(caught.value) is record
    (query,) = signed
    assert (record.kind, record.asset, record.amount) == (kind, "BTC", "0.01")
    assert record.timestamp_ms == int(query["timestamp"][0])
    assert record.recv_window == int(query["recvWindow"][0])
    error = caught.value
    assert (error.asset, error.amount, error.timestamp_ms, error.kind, error.sent_id) == (
        "BTC",
        "0.01",
        record.timestamp_ms,
        kind,
        record.sent_id,
    )
    assert record.sent_id is not None


def test_a_read_that_is_lost_carries_no_send_record():
    client = RepayClient(
        "http://127.0.0.1:9",
        credentials_for(generate_key("hmac")),
        sleep=lambda seconds: None,
        httpx_args={"transport": httpx.MockTransport(lambda r: httpx.Response(504))},
        retry=None,
    )
    with client, pytest.raises(OutcomeUnknown) as caught:
        client.debt("BTC")
    assert caught.value.request is None and caught.value.asset is None
    assert client.unresolved == ()


def test_a_borrow_result_is_not_a_repay_result():
    assert not issubclass(BorrowResult, RepayResult)
    assert not issubclass(RepayResult, BorrowResult)
