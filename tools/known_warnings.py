"""The warnings `make` expects from the tools it runs, each named with its reason, in one place.

    python3 tools/known_warnings.py TOOL -- COMMAND [ARG...]

Runs COMMAND (stderr merged into stdout), prints its output without the known warnings of
TOOL plus one line counting what was left out, and exits with COMMAND's exit code. For the
generator, a warning that is not known here fails the run (exit 1) and is printed whole: fix
openapi.yaml, or add the warning below with its reason. Standard library only: `make install`
runs it before the venv exists.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Known:
    name: str
    reason: str
    matches: Callable[[list[str]], bool]  # a warning, as its lines


def _untyped_unknown_outcome_body(lines: list[str]) -> bool:
    """The generator cannot type a `*/*` body; ours are the unknown-outcome answers."""
    header, detail, *data = lines
    if not re.fullmatch(r"WARNING parsing (GET|POST) /\S+ within [\w/]+\.", header):
        return False
    if not re.fullmatch(
        r"Cannot parse response for status code .* \(Unsupported content_type \*/\*\), "
        r"response will be omitted from generated client",
        detail,
    ):
        return False
    try:
        response = json.loads("\n".join(data))
    except ValueError:
        return False
    schema = response.get("content", {}).get("*/*", {}).get("schema", {})
    return (
        response.get("x-outcome") == "unknown"
        and schema.get("$ref") == "#/components/schemas/ErrorOrPage"
    )


GENERATOR = (
    Known(
        "untyped-unknown-outcome-body",
        "openapi.yaml describes the answers of unknown outcome (408, 5xx, a gateway's HTML "
        "page) as `*/*` ErrorOrPage on purpose: their body may be anything. The generator "
        "cannot type such a body and leaves that status out; the generated client then raises "
        "on it (raise_on_unexpected_status) and the safe layer classifies the raw answer "
        "itself (auth_plugin/safe/classify.py).",
        _untyped_unknown_outcome_body,
    ),
)
GENERATOR_OPENING = "Warning(s) encountered while generating"
GENERATOR_CLOSING = "If you believe this was a mistake"

REDOCLY_NODE_20 = Known(
    "node-20-deprecation",
    "Redocly CLI announces on every run that its Node.js 20 support is ending. The pinned CLI "
    "works on Node 20, this machine's; moving to Node 22 is a change of machine, not a "
    "finding of the lint.",
    lambda lines: any("Node.js 20 support is ending" in line for line in lines),
)
PIP_MISSING_INDEX = Known(
    "missing-local-index",
    "this machine's pip configuration lists a local index folder that does not exist; pip "
    "skips it and finds the wheels elsewhere. The install is from hashed pins, so where a "
    "wheel comes from cannot change what is installed.",
    lambda lines: bool(
        re.fullmatch(
            r"WARNING: Location '.*' is ignored: it is neither a file nor a directory\.", lines[0]
        )
    ),
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Filtered:
    kept: list[str]
    left_out: Counter[str]
    unknown: list[list[str]]


def generator(lines: list[str]) -> Filtered:
    """Its warnings come between an opening and a closing line, each as a header, a detail
    and the offending part of the document as JSON, separated by blank lines."""
    result = Filtered([], Counter(), [])
    if not any(line.startswith(GENERATOR_OPENING) for line in lines):
        result.kept = lines
        return result
    start = next(i for i, line in enumerate(lines) if line.startswith(GENERATOR_OPENING))
    end = next(
        (i for i, line in enumerate(lines) if line.startswith(GENERATOR_CLOSING)), len(lines)
    )
    result.kept = lines[:start] + lines[end + 1 :]
    for warning in _generator_warnings(lines[start + 1 : end]):
        known = next((k for k in GENERATOR if k.matches(warning)), None)
        if known is None:
            result.unknown.append(warning)
        else:
            result.left_out[known.name] += 1
    return result


def _generator_warnings(lines: list[str]) -> list[list[str]]:
    warnings: list[list[str]] = []
    current: list[str] = []
    in_data = False
    for line in lines:
        if in_data:
            current.append(line)
            in_data = line != "}"
        elif line.strip() == "":
            continue
        elif line == "{":
            current.append(line)
            in_data = True
        elif current and len(current) == 1:
            current.append(line)  # the detail under a header
        else:
            if current:
                warnings.append(current)
            current = [line]
    if current:
        warnings.append(current)
    return warnings


def boxes(known: Known) -> Callable[[list[str]], Filtered]:
    """A profile that leaves out a framed notice (box-drawing lines) that `known` matches."""

    def profile(lines: list[str]) -> Filtered:
        result = Filtered([], Counter(), [])
        i = 0
        while i < len(lines):
            if "╔" in lines[i]:
                end = next((j for j in range(i, len(lines)) if "╚" in lines[j]), None)
                if end is not None and known.matches(lines[i : end + 1]):
                    result.left_out[known.name] += 1
                    i = end + 1
                    while i < len(lines) and not lines[i].strip():
                        i += 1
                    continue
            result.kept.append(lines[i])
            i += 1
        return result

    return profile


def each_line(known: Known) -> Callable[[list[str]], Filtered]:
    def profile(lines: list[str]) -> Filtered:
        result = Filtered([], Counter(), [])
        for line in lines:
            if known.matches([line]):
                result.left_out[known.name] += 1
            else:
                result.kept.append(line)
        return result

    return profile


PROFILES: dict[str, tuple[str, Callable[[list[str]], Filtered]]] = {
    "generator": ("openapi-python-client", generator),
    "redocly": ("redocly", boxes(REDOCLY_NODE_20)),
    "pip": ("pip", each_line(PIP_MISSING_INDEX)),
}


def main(argv: Sequence[str]) -> int:
    if len(argv) < 3 or argv[0] not in PROFILES or argv[1] != "--":
        print(f"usage: known_warnings.py {{{','.join(PROFILES)}}} -- COMMAND...", file=sys.stderr)
        return 2
    tool, profile = PROFILES[argv[0]]
    done = subprocess.run(  # noqa: S603  (the command is make's own)
        list(argv[2:]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    result = profile(_ANSI.sub("", done.stdout).splitlines())
    for line in result.kept:
        print(line)
    if result.left_out:
        counts = ", ".join(f"{name} x{n}" for name, n in sorted(result.left_out.items()))
        print(f"({tool}: known warnings left out: {counts}; reasons in tools/known_warnings.py)")
    if result.unknown:
        for warning in result.unknown:
            print("\n".join(warning), file=sys.stderr)
        print(
            f"{tool}: {len(result.unknown)} warning(s) not known to tools/known_warnings.py "
            "(above): fix the cause, or add each there with its reason",
            file=sys.stderr,
        )
        return done.returncode or 1
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
