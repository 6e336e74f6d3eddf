"""Every claim in openapi.yaml says where it comes from, and the sandbox's choices are the ones
papi_sandbox/README.md lists.

A claim is: an error response, each documented message (code + msg), each parameter (its type and
limits), each schema the contract types, each security scheme and signing rule, each weight, and
each rule in an operation's `x-rules`. Each carries `x-source` (a name, a list of names, or a map
from aspect to names) from `info.x-source-legend`; where a source is `sandbox-choice`, an
`x-sandbox-choice` id names the choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.spec.spec_doc import ROOT, SPEC, documented_messages, operations, resolve

LEGEND = set(SPEC["info"]["x-source-legend"])
SANDBOX = "sandbox-choice"
MARGIN_ONLY_CODES = {-3006, -3015, -3027, -3041}


def _names(source: Any) -> set[str]:
    if isinstance(source, str):
        return {source}
    if isinstance(source, list):
        return set().union(*(_names(item) for item in source)) if source else set()
    if isinstance(source, dict):
        return set().union(*(_names(item) for item in source.values())) if source else set()
    raise AssertionError(f"x-source must be a name, a list or a map, not {source!r}")


def _claims() -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, node) for every node that states a fact about Binance or the sandbox."""
    components = SPEC["components"]
    for name, response in components["responses"].items():
        yield f"responses/{name}", response
    for name, example in components["examples"].items():
        yield f"examples/{name}", example
    for name, parameter in components["parameters"].items():
        yield f"parameters/{name}", parameter
    for name, header in components["headers"].items():
        yield f"headers/{name}", header
    for name, scheme in components["securitySchemes"].items():
        yield f"securitySchemes/{name}", scheme
    signing = components["securitySchemes"]["Signature"]["x-binance-signing"]
    yield "x-binance-signing", signing
    for name, value in signing.items():
        if isinstance(value, dict) and name != "keyTypes" and name != "injectedParameters":
            yield f"x-binance-signing/{name}", value
    for group in ("keyTypes", "injectedParameters"):
        for name, value in signing[group].items():
            yield f"x-binance-signing/{group}/{name}", value
    for name, schema in components["schemas"].items():
        if name != "Empty":
            yield f"schemas/{name}", schema
    for server in SPEC["servers"]:
        yield f"servers/{server['url']}", server
    for path, method, operation in operations():
        where = f"{method.upper()} {path}"
        yield f"{where} weight", operation["x-binance-weight"]
        for parameter in operation.get("parameters", []):
            if "$ref" not in parameter:
                yield f"{where} parameter {parameter['name']}", parameter
        for status, response in operation["responses"].items():
            if "$ref" not in response:
                yield f"{where} {status}", response
        if operation.get("security"):
            yield f"{where} security type", operation["x-binance-security-type"]
            yield f"{where} parameter locations", operation["x-binance-parameter-locations"]
        for rule in operation.get("x-rules", []):
            yield f"{where} rule {rule['id']}", rule


CLAIMS = list(_claims())


@pytest.mark.parametrize(("where", "claim"), CLAIMS, ids=[where for where, _ in CLAIMS])
def test_every_claim_names_its_source(where: str, claim: dict[str, Any]) -> None:
    assert "x-source" in claim, f"{where} has no x-source"
    names = _names(claim["x-source"])
    assert names, f"{where}: empty x-source"
    assert names <= LEGEND, f"{where}: unknown source(s) {names - LEGEND}"
    if SANDBOX in names:
        assert claim.get("x-sandbox-choice"), f"{where}: a sandbox choice needs its id"


def test_every_documented_error_message_has_a_source_and_an_outcome() -> None:
    seen = 0
    for _, _, operation in operations():
        for status, _media_type, response, example in documented_messages(operation):
            assert "x-source" in response, status
            assert "x-source" in example and "x-outcome" in example, example
            seen += 1
    assert seen > 40


def test_every_x_source_in_the_document_is_in_the_legend() -> None:
    def walk(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            if "x-source" in node:
                yield node["x-source"]
            for key, value in node.items():
                if key != "x-source-legend":
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for source in walk(SPEC):
        assert _names(source) <= LEGEND, source


def test_margin_codes_are_attributed_to_the_margin_docs_not_portfolio_margin() -> None:
    found = set()
    for example in SPEC["components"]["examples"].values():
        value = example["value"]
        if isinstance(value, dict) and value.get("code") in MARGIN_ONLY_CODES:
            found.add(value["code"])
            source = example["x-source"]
            assert source["code"] == "binance-margin-docs", example
            assert "binance-papi-docs" not in _names(source), example
            assert example["x-sandbox-choice"] == "business-codes"
    assert found == MARGIN_ONLY_CODES


def test_sandbox_choices_are_never_presented_as_binances() -> None:
    """A limit the sandbox chose must not appear as a bare schema constraint of Binance's."""
    asset = SPEC["components"]["parameters"]["Asset"]
    assert asset["x-source"]["charset"] == SANDBOX and "pattern" not in asset["schema"]
    recv_window = SPEC["components"]["parameters"]["RecvWindow"]
    # Binance's own lower bound (observed) is 0; the sandbox's refusal of 0 is in the overlay.
    assert recv_window["schema"]["minimum"] == 0 and recv_window["x-source"]["zero"] == SANDBOX
    assert recv_window["x-source"]["minimum"] == "binance-observed"
    for path, method, operation in operations():
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "size":
                assert parameter["schema"]["minimum"] == 0, (method, path)
    for example in SPEC["components"]["examples"].values():
        if example["value"] in ({"code": -1127, "msg": "Lookup interval is too big."},):
            assert example["x-source"]["code-for-this-case"] == SANDBOX


def _spec_choice_ids() -> set[str]:
    ids: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "x-sandbox-choice" in node:
                ids.add(node["x-sandbox-choice"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(SPEC)
    overlay = (ROOT / "overlays" / "sandbox.overlay.yaml").read_text()
    ids.update(re.findall(r"x-sandbox-choice: ([a-z0-9-]+)", overlay))
    return ids


def _readme_choice_ids() -> set[str]:
    readme = (ROOT / "papi_sandbox" / "README.md").read_text()
    start = readme.index("Choices where Binance is silent")
    table = readme[start:].split("\n\n", 2)[1]
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", table, flags=re.MULTILINE))


def test_the_sandbox_readme_and_the_spec_list_the_same_choices() -> None:
    readme, spec = _readme_choice_ids(), _spec_choice_ids()
    assert readme, "the README's table of choices was not found"
    assert spec == readme, {"only in the spec": spec - readme, "only in the README": readme - spec}


def test_readme_states_the_sandbox_answers_the_spec_states() -> None:
    readme = (ROOT / "papi_sandbox" / "README.md").read_text()
    examples = SPEC["components"]["examples"]
    for name in ("TxIdOrStartTimeMissing", "LookupIntervalTooBig", "TooManyParameters"):
        value = resolve(examples[name])["value"]
        assert str(value["code"]) in readme and value["msg"] in readme, name
