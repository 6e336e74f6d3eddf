"""The drivers build every request with the generated modules' `_get_kwargs` (see
`auth_plugin.safe.wire`): a private function of openapi-python-client's output, so this pins
what the client relies on. A regeneration that renames it, changes its arguments or what it
returns fails here, not in a user's repay."""

from __future__ import annotations

import inspect

import pytest

from auth_plugin.safe.effects import Call
from auth_plugin.safe.endpoints import BALANCE, BORROW, LOAN_RECORDS, REPAY, REPAY_RECORDS
from auth_plugin.safe.wire import request_kwargs
from auth_plugin.signer.auth import PINNED_TIMESTAMP
from tests.spec.spec_doc import SPEC

# (endpoint, the arguments the flow passes, the method, path and query the request must have)
CASES = (
    (
        REPAY,
        {"asset": "BTC", "amount": "0.01", "recv_window": 2000},
        "post",
        "/papi/v1/repayLoan",
        {"asset": "BTC", "amount": "0.01", "recvWindow": 2000},
    ),
    (
        BORROW,
        {"asset": "BTC", "amount": "0.01", "recv_window": 2000},
        "post",
        "/papi/v1/marginLoan",
        {"asset": "BTC", "amount": "0.01", "recvWindow": 2000},
    ),
    (BALANCE, {"recv_window": 5000}, "get", "/papi/v1/balance", {"recvWindow": 5000}),
    (
        REPAY_RECORDS,
        {"asset": "BTC", "tx_id": 7, "recv_window": 5000},
        "get",
        "/papi/v1/margin/repayLoan",
        # with the spec's defaults for current, size and archived, as the generated client
        # sends them
        {
            "asset": "BTC",
            "txId": 7,
            "current": 1,
            "size": 10,
            "archived": False,
            "recvWindow": 5000,
        },
    ),
    (
        LOAN_RECORDS,
        {
            "asset": "BTC",
            "start_time": 1,
            "end_time": 2,
            "current": 1,
            "size": 100,
            "recv_window": 5000,
        },
        "get",
        "/papi/v1/margin/marginLoan",
        {
            "asset": "BTC",
            "startTime": 1,
            "endTime": 2,
            "current": 1,
            "size": 100,
            "archived": False,
            "recvWindow": 5000,
        },
    ),
)


@pytest.mark.parametrize(
    "endpoint, args, method, path, query", CASES, ids=lambda c: getattr(c, "name", None)
)
def test_the_request_is_the_generated_operations_own(endpoint, args, method, path, query):
    kwargs = request_kwargs(Call(endpoint, args, 1_700_000_000_000))
    assert kwargs == {
        "method": method,
        "url": path,
        "params": query,
        "extensions": {PINNED_TIMESTAMP: 1_700_000_000_000},
    }
    assert method in SPEC["paths"][path]


@pytest.mark.parametrize("endpoint", [case[0] for case in CASES], ids=lambda e: e.name)
def test_the_generated_client_builds_its_own_requests_the_same_way(endpoint):
    operation = endpoint.operation
    for sender in (operation.sync_detailed, operation.asyncio_detailed):
        assert "_get_kwargs(" in inspect.getsource(sender)
    keyword_only = {
        name
        for name, parameter in inspect.signature(operation._get_kwargs).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keyword_only == set(inspect.signature(operation.sync_detailed).parameters) - {"client"}
