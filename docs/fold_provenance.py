"""Fold openapi.yaml's provenance into the text the docs page shows (`make docs`).

Redoc renders vendor extensions only beside parameters and fields, never beside a response's
examples, so a reader of the page would not see where an error code comes from or what it
means for a repay. This writes a copy of the description whose prose carries it:

- each operation's description ends with its `x-rules`, each with its source;
- each error response's description ends with its outcome and source, then every documented
  message (code, text) with its own outcome and source;
- each parameter's description ends with its source;
- the info description ends with the table of sources (`info.x-source-legend`): the pages
  behind each id, when they were checked, and the messages quoted from them.

Lists, not tables: a table's narrow first column breaks long source ids mid-word.
The input is never changed; `make docs` renders the copy.

Usage: python docs/fold_provenance.py openapi.yaml OUT.yaml
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

OUTCOME_WORDS = {
    "rejected": "**rejected** (not executed; do not resend unchanged)",
    "not-executed": "**not executed** (may be sent again later)",
    "unknown": "**unknown** (may have run: check the records before any resend)",
}


def source_text(source: Any) -> str:
    """`x-source` in words: a name, names, or aspect: names."""
    if isinstance(source, str):
        return f"`{source}`"
    if isinstance(source, list):
        return ", ".join(source_text(item) for item in source)
    if isinstance(source, dict):
        return "; ".join(f"{aspect}: {source_text(names)}" for aspect, names in source.items())
    raise TypeError(source)


def _with_choice(node: dict[str, Any]) -> str:
    text = source_text(node["x-source"])
    choice = node.get("x-sandbox-choice")
    return f"{text} (sandbox choice `{choice}`)" if choice else text


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _append(node: dict[str, Any], text: str) -> None:
    node["description"] = (node.get("description") or "").rstrip() + "\n\n" + text + "\n"


def _rules(operation: dict[str, Any]) -> str:
    lines = ["**Rules and their sources** (`x-rules`):", ""]
    for rule in operation["x-rules"]:
        lines.append(f"- *{rule['id']}*: {rule['rule']} Source: {_with_choice(rule)}.")
    return "\n".join(lines)


def _message_line(example: dict[str, Any]) -> str:
    value = example["value"]
    if isinstance(value, dict):
        head = f"`{value['code']}` {value['msg']}"
    else:
        head = f"{example.get('summary', 'a page')} (not JSON)"
    outcome = OUTCOME_WORDS[example["x-outcome"]]
    line = f"- {head} — outcome {outcome}; source {_with_choice(example)}."
    documented = example.get("x-documented-outcome")
    if documented:
        said = "; ".join(f"`{name}`: {words}" for name, words in documented.items())
        line += f" What the sources say: {said}."
    if example.get("x-note"):
        line += " " + " ".join(str(example["x-note"]).split())
    return line


def _response(spec: dict[str, Any], response: dict[str, Any]) -> str:
    lines = [
        f"**Outcome of any body not listed below:** {OUTCOME_WORDS[response['x-outcome']]}. "
        f"Source: {_with_choice(response)}.",
    ]
    examples = [
        _resolve(spec, example)
        for content in response.get("content", {}).values()
        for example in content.get("examples", {}).values()
    ]
    if examples:
        lines += ["", "**Documented answers, each with its outcome and source:**", ""]
        lines += [_message_line(example) for example in examples]
    return "\n".join(lines)


def _legend(legend: dict[str, Any]) -> str:
    lines = ["## The table of sources", "", "(`info.x-source-legend`)", ""]
    for name, entry in legend.items():
        lines.append(f"- **`{name}`**: {entry['title']}.")
        if entry.get("path"):
            lines.append(f"  - this project's file `{entry['path']}`")
        for page in entry.get("pages", []):
            where = page.get("url") or page.get("page")
            lines.append(f"  - {where} (checked: {page['checked']})")
        for message in entry.get("messages", []):
            lines.append(f"  - quoted message: {message}")
        for quote in entry.get("quotes", []):
            lines.append(f"  - quoted: {quote}")
    return "\n".join(lines)


def fold(spec: dict[str, Any]) -> dict[str, Any]:
    folded = copy.deepcopy(spec)
    _append(folded["info"], _legend(folded["info"]["x-source-legend"]))
    done: set[int] = set()  # shared components are folded once
    for item in folded["paths"].values():
        for operation in item.values():
            if operation.get("x-rules"):
                _append(operation, _rules(operation))
            for parameter in operation.get("parameters", []):
                target = _resolve(folded, parameter)
                if id(target) not in done and "x-source" in target:
                    done.add(id(target))
                    _append(target, f"Source: {_with_choice(target)}.")
            for status, reference in operation["responses"].items():
                response = _resolve(folded, reference)
                if status.startswith("2"):
                    if id(response) not in done and "x-source" in response:
                        done.add(id(response))
                        _append(response, f"Source: {_with_choice(response)}.")
                elif id(response) not in done:
                    done.add(id(response))
                    _append(response, _response(folded, response))
    return folded


def main(argv: list[str]) -> int:
    source, out = Path(argv[1]), Path(argv[2])
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        yaml.safe_dump(fold(spec), sort_keys=False, allow_unicode=True, width=4096),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
