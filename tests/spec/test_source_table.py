"""The one table of sources (`info.x-source-legend`) backs every quotation in openapi.yaml.

Each source id maps to the pages it stands for (address, when and how they were checked) and
lists the messages and sentences the spec quotes from them. A message the spec puts in an
error example must be listed, verbatim (a `%s` of a template fills any text), under a source
the example cites for it; a sentence the spec quotes in prose must be listed under some
source; and every listed message or sentence is quoted somewhere (no stale rows).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.spec.spec_doc import SPEC

LEGEND: dict[str, Any] = SPEC["info"]["x-source-legend"]
PROJECT_SOURCES = {"sandbox-choice", "client-choice"}
PROSE_KEYS = ("description", "rule", "x-note", "summary")
# A quotation in prose: text between double quotes, long enough not to be a single word.
QUOTED = re.compile(r'"([^"\n]{10,})"')


def _names(source: Any) -> set[str]:
    if isinstance(source, str):
        return {source}
    items = source.values() if isinstance(source, dict) else source
    return set().union(*(_names(item) for item in items)) if items else set()


def _template(message: str) -> re.Pattern[str]:
    return re.compile(".+?".join(re.escape(part) for part in message.split("%s")))


def _sources_with(message: str) -> set[str]:
    """The source ids whose `messages` have `message` (verbatim, or filling a template)."""
    return {
        name
        for name, entry in LEGEND.items()
        for listed in entry.get("messages", [])
        if _template(listed).fullmatch(message)
    }


def _listed_text() -> list[str]:
    return [
        text.lower()
        for entry in LEGEND.values()
        for text in [*entry.get("messages", []), *entry.get("quotes", [])]
    ]


def _in_some_source(quotation: str) -> bool:
    """A prose quotation is (a part of) a listed message or sentence; a trailing " ..." marks
    one cut short."""
    wanted = quotation.removesuffix("...").rstrip(" ,;").lower()
    return any(wanted in text for text in _listed_text()) or bool(_sources_with(quotation))


def _error_examples() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, example in SPEC["components"]["examples"].items():
        if isinstance(example["value"], dict) and "msg" in example["value"]:
            yield name, example


def _msg_sources(example: dict[str, Any]) -> set[str]:
    source = example["x-source"]
    return _names(source["msg"]) if isinstance(source, dict) and "msg" in source else _names(source)


def _prose(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "x-source-legend":
                continue
            if key in PROSE_KEYS and isinstance(value, str):
                yield re.sub(r"\s+", " ", value)
            elif key == "x-documented-outcome" and isinstance(value, dict):
                yield from (text for text in value.values() if isinstance(text, str))
            else:
                yield from _prose(value)
    elif isinstance(node, list):
        for item in node:
            yield from _prose(item)


PROSE_QUOTES = sorted({quote for text in _prose(SPEC) for quote in QUOTED.findall(text)})
EXAMPLES = list(_error_examples())


@pytest.mark.parametrize("name", list(LEGEND))
def test_each_source_says_what_it_stands_for(name: str) -> None:
    entry = LEGEND[name]
    assert entry.get("title"), name
    if name in PROJECT_SOURCES:
        assert entry.get("path"), f"{name}: this project's own sources name the file they are"
        return
    pages = entry.get("pages")
    assert pages, f"{name}: no pages"
    for page in pages:
        assert page.get("url") or page.get("page"), (name, page)
        assert page.get("checked"), (name, page, "when and how was it checked?")


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_each_quoted_message_is_listed_under_a_source_the_example_cites(
    name: str, example: dict[str, Any]
) -> None:
    cited = _msg_sources(example)
    assert cited <= set(LEGEND), (name, cited - set(LEGEND))
    having = _sources_with(example["value"]["msg"])
    assert having & cited, f"{name}: {example['value']['msg']!r} is under {having or 'no source'}"


@pytest.mark.parametrize("quote", PROSE_QUOTES)
def test_each_quotation_in_prose_is_listed_in_the_table(quote: str) -> None:
    assert _in_some_source(quote), quote


def test_every_listed_message_and_sentence_is_quoted_by_the_spec() -> None:
    """No stale rows: what the table lists, the spec quotes (a sentence, at least in part)."""
    messages = [example["value"]["msg"] for _, example in EXAMPLES]
    prose = "\n".join(_prose(SPEC)).lower()
    prose = re.sub(r"\s+", " ", prose)
    for name, entry in LEGEND.items():
        for listed in entry.get("messages", []):
            pattern = _template(listed)
            assert any(pattern.fullmatch(msg) for msg in messages) or listed.lower() in prose, (
                name,
                listed,
            )
        for sentence in entry.get("quotes", []):
            parts = [quote.removesuffix("...").rstrip(" ,;").lower() for quote in PROSE_QUOTES]
            assert any(part in sentence.lower() for part in parts), (name, sentence)


def test_the_checks_find_what_no_source_says() -> None:
    """The matchers are not vacuous: a sentence no page has, or a message under the wrong
    source, is caught."""
    assert PROSE_QUOTES and len(EXAMPLES) > 30
    assert not _in_some_source("verify the execution status of state-changing operations")
    assert _sources_with("recvWindow must be less than 60000") == {"binance-pm-pro-docs"}
    assert "binance-papi-docs" not in _sources_with("recvWindow must be less than 60000")
    assert _sources_with("Illegal characters found in parameter 'amount'; legal range is 'x'.")
    assert not _sources_with("Illegal characters found in parameter 'amount'.")


def test_the_documented_codes_the_issue_names_are_there_with_their_sources() -> None:
    examples = SPEC["components"]["examples"]
    assert examples["StartTimeAfterEndTime"]["value"] == {
        "code": -1023,
        "msg": "Start time is greater than end time.",
    }
    assert examples["RecvWindowTooLarge"]["x-source"] == "binance-pm-pro-docs"
    throttled = examples["Unavailable503Throttled"]
    assert throttled["x-source"]["outcome"] == "client-choice"
    assert "/papi/v1/order" in throttled["x-documented-outcome"]["binance-papi-docs"]
    headers = SPEC["components"]["headers"]
    assert headers["RetryAfter"]["required"] is False
    assert _names(headers["RetryAfter"]["x-source"]["header"]) == {"binance-spot-docs"}


SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


def test_the_signed_url_on_the_page_is_the_hmac_of_its_payload() -> None:
    text = SPEC["components"]["securitySchemes"]["Signature"]["description"]
    assert SPOT_SECRET in text
    payload = re.search(r"totalParams = (\S+)", text)
    url = re.search(
        r"POST https://papi\.binance\.com/papi/v1/repayLoan\?(\S+)&signature=(\w+)",
        text,
    )
    assert payload and url
    assert url.group(1) == payload.group(1)
    signature = hmac.new(SPOT_SECRET.encode(), payload.group(1).encode(), hashlib.sha256)
    assert url.group(2) == signature.hexdigest()
    spot = re.search(r"`(symbol=LTCBTC\S+)`\s+to `([0-9a-f]{64})`", text)
    assert spot, "the Spot vector the secret comes from"
    assert hmac.new(SPOT_SECRET.encode(), spot.group(1).encode(), hashlib.sha256).hexdigest() == (
        spot.group(2)
    )
