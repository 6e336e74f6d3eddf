"""tools/known_warnings.py: the known warnings are left out and counted, a new one fails."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "known_warnings.py"

UNKNOWN_OUTCOME_RESPONSE = {
    "description": "Outcome UNKNOWN: a gateway in front of Binance failed.",
    "content": {"*/*": {"schema": {"$ref": "#/components/schemas/ErrorOrPage"}}},
    "x-outcome": "unknown",
}


def generator_warning(header: str, detail: str, data: dict[str, object]) -> str:
    return f"{header}\n\n{detail}\n\n{json.dumps(data, indent=2)}\n\n"


KNOWN = generator_warning(
    "WARNING parsing POST /papi/v1/repayLoan within margin.",
    "Cannot parse response for status code <UntrustedString object at 0x7f0> (Unsupported "
    "content_type */*), response will be omitted from generated client",
    UNKNOWN_OUTCOME_RESPONSE,
)
NEW = generator_warning(
    "WARNING parsing GET /papi/v1/balance within margin.",
    "Cannot parse response for status code <UntrustedString object at 0x7f1> (Unsupported "
    "content_type text/csv), response will be omitted from generated client",
    {"content": {"text/csv": {}}},
)
OPENING = (
    "Warning(s) encountered while generating. Client was generated, but some pieces may be "
    "missing\n\n"
)
CLOSING = "If you believe this was a mistake or this tool is missing a feature you need\n"
NODE_BOX = textwrap.dedent(
    """\
    before
        ╔══════════════════════════════════════════════╗
        ║  Deprecation warning: Node.js 20 support is ending  ║
        ║  You are using Node.js v20.20.2.             ║
        ╚══════════════════════════════════════════════╝

    validating openapi.yaml...
    """
)


def run_tool(profile: str, output: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    command = f"import sys; sys.stderr.write({output!r}); sys.exit({code})"
    return subprocess.run(
        [sys.executable, TOOL, profile, "--", sys.executable, "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_known_generator_warnings_are_left_out_and_counted():
    done = run_tool("generator", "Generating out\n" + OPENING + KNOWN * 3 + CLOSING)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Generating out",
        "(openapi-python-client: known warnings left out: untyped-unknown-outcome-body x3; "
        "reasons in tools/known_warnings.py)",
    ]
    assert done.stderr == ""


def test_a_new_generator_warning_fails_and_is_shown_whole():
    done = run_tool("generator", OPENING + KNOWN + NEW + CLOSING)

    assert done.returncode == 1
    assert "Unsupported content_type text/csv" in done.stderr
    assert '"text/csv"' in done.stderr
    assert "1 warning(s) not known to tools/known_warnings.py" in done.stderr
    assert "repayLoan" not in done.stderr


def test_a_star_body_that_is_not_of_unknown_outcome_is_not_known():
    documented = {**UNKNOWN_OUTCOME_RESPONSE, "x-outcome": "not-executed"}
    warning = generator_warning(
        "WARNING parsing POST /papi/v1/repayLoan within margin.",
        "Cannot parse response for status code <x> (Unsupported content_type */*), response "
        "will be omitted from generated client",
        documented,
    )

    done = run_tool("generator", OPENING + warning + CLOSING)

    assert done.returncode == 1
    assert "not-executed" in done.stderr


def test_the_command_exit_code_is_kept():
    done = run_tool("generator", "Error(s) encountered while generating\n", code=3)

    assert done.returncode == 3
    assert "Error(s) encountered" in done.stdout


def test_the_node_deprecation_box_is_left_out():
    done = run_tool("redocly", NODE_BOX)

    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "before",
        "validating openapi.yaml...",
        "(redocly: known warnings left out: node-20-deprecation x1; reasons in "
        "tools/known_warnings.py)",
    ]


def test_another_box_stays():
    box = "    ╔═══╗\n    ║ Update available ║\n    ╚═══╝\n"

    done = run_tool("redocly", box)

    assert done.stdout == box


def test_pip_missing_local_index_lines_are_left_out():
    output = (
        "WARNING: Location 'file:///opt/x/simple/yarl/' is ignored: it is neither a file nor a "
        "directory.\nWARNING: something else\n"
    )

    done = run_tool("pip", output)

    assert done.stdout.splitlines() == [
        "WARNING: something else",
        "(pip: known warnings left out: missing-local-index x1; reasons in "
        "tools/known_warnings.py)",
    ]


@pytest.mark.parametrize("argv", [[], ["nope", "--", "true"], ["pip", "true"]])
def test_bad_usage_exits_2(argv):
    done = subprocess.run([sys.executable, TOOL, *argv], capture_output=True, text=True)

    assert done.returncode == 2
    assert "usage:" in done.stderr
