"""Per-endpoint facts typed outside openapi.yaml equal the spec's: the client's and the
sandbox's weights, the sandbox's paths, the default recvWindow. The spec is the source."""

from __future__ import annotations

import re

import pytest

from auth_plugin.safe import endpoints as client_endpoints
from auth_plugin.safe.reconcile import DEFAULT_RECV_WINDOW_MS
from papi_sandbox import paths as sandbox_paths
from papi_sandbox.endpoints import WEIGHTS as SANDBOX_WEIGHTS
from papi_sandbox.signed_request import DEFAULT_RECV_WINDOW as SANDBOX_RECV_WINDOW
from tests.spec.spec_doc import SPEC, operations

SPEC_WEIGHTS = {
    (method.upper(), path): operation["x-binance-weight"]["value"]
    for path, method, operation in operations()
}
OPERATION_BY_MODULE = {
    re.sub(r"(?<!^)(?=[A-Z])", "_", operation["operationId"]).lower(): (method.upper(), path)
    for path, method, operation in operations()
}
CLIENT_ENDPOINTS = [
    value
    for value in vars(client_endpoints).values()
    if isinstance(value, client_endpoints.Endpoint)
]


def test_the_clis_default_margins_are_the_clients():
    from auth_plugin.cli import parser
    from auth_plugin.safe.reconcile import DEFAULT_STAMP_MARGIN_MS, DEFAULT_VISIBILITY_LAG_MS

    assert parser.DEFAULT_STAMP_MARGIN_MS == DEFAULT_STAMP_MARGIN_MS
    assert parser.DEFAULT_VISIBILITY_LAG_MS == DEFAULT_VISIBILITY_LAG_MS


def test_the_clis_default_repay_window_is_the_clients():
    from auth_plugin.cli import parser
    from auth_plugin.safe.flow import REPAY_RECV_WINDOW_MS

    assert parser.REPAY_RECV_WINDOW_MS == REPAY_RECV_WINDOW_MS


@pytest.mark.parametrize("endpoint", CLIENT_ENDPOINTS, ids=lambda e: e.name)
def test_the_clients_weight_of_each_endpoint_is_the_specs(endpoint):
    module = endpoint.operation.__name__.rsplit(".", 1)[1]
    assert endpoint.weight == SPEC_WEIGHTS[OPERATION_BY_MODULE[module]]


def test_the_client_defines_every_signed_operation_it_calls_and_no_other():
    modules = {e.operation.__name__.rsplit(".", 1)[1] for e in CLIENT_ENDPOINTS}
    assert modules <= set(OPERATION_BY_MODULE)
    assert len(CLIENT_ENDPOINTS) >= 5


def test_the_sandboxs_weights_are_the_specs():
    in_spec = {key: weight for key, weight in SANDBOX_WEIGHTS.items() if key in SPEC_WEIGHTS}
    assert in_spec == SPEC_WEIGHTS
    # The one endpoint outside the spec: spot's time endpoint, weight 1.
    assert set(SANDBOX_WEIGHTS) - set(SPEC_WEIGHTS) == {("GET", sandbox_paths.TIME_PATH)}


def test_the_sandboxs_paths_are_the_specs():
    served = {
        value
        for name, value in vars(sandbox_paths).items()
        if name.endswith("_PATH") and value != sandbox_paths.TIME_PATH
    }
    assert served == set(SPEC["paths"])


def test_the_default_recv_window_is_the_specs():
    default = SPEC["components"]["securitySchemes"]
    signing = next(
        scheme["x-binance-signing"]
        for scheme in default.values()
        if isinstance(scheme, dict) and "x-binance-signing" in scheme
    )
    assert DEFAULT_RECV_WINDOW_MS == SANDBOX_RECV_WINDOW == signing["recvWindowDefault"]["value"]


@pytest.mark.parametrize("schema", ["RepayLoanResponse", "MarginLoanResponse"])
def test_the_tran_id_the_client_reads_is_the_specs_one_required_field(schema):
    definition = SPEC["components"]["schemas"][schema]
    assert definition["required"] == [client_endpoints.TRAN_ID]
    assert definition["properties"][client_endpoints.TRAN_ID]["type"] == "integer"
    for body in ({"tranId": 7}, {"tranId": 7, "more": "x"}):
        assert client_endpoints.REPAY.parse(body) == client_endpoints.BORROW.parse(body) == 7
    for unusable in ({"tranId": True}, {"tranId": "7"}, {}, [7], None):
        with pytest.raises(client_endpoints.UnusableAnswer):
            client_endpoints.REPAY.parse(unusable)
