"""`make mutants`: deliberate bugs the safety tests must catch.

Each mutant is one textual change to the client. The runner applies it, runs the safety and
CLI tests (stopping at the first failure), expects them to FAIL, and restores the file
whatever happens. A mutant the tests survive is a hole in the proof: the run fails.

    python -m tests.mutants [--proof] [NAME ...]     (default: all)

With --proof only the proof runs (the property tests, RECONCILE_EXAMPLES, default 300; the
clock logic in a simulated world; the in-flight and concurrent-run tests): each mutant must
make the proof itself fail, not just a unit test written for it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["tests/safety", "tests/cli"]
PROOF = [
    "tests/safety/test_reconcile_property.py",
    "tests/safety/test_reconcile_clock.py",
    "tests/safety/test_reconcile_in_flight.py",
    "tests/cli/test_cli_concurrent.py",
]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    why: str
    # False where the sandbox has no fault to show it (the unit tests must catch it alone).
    in_proof: bool = True


MUTANTS = (
    Mutant(
        "read-1s-early",
        "auth_plugin/safe/reconcile.py",
        "        return window.last + self.lag_ms\n",
        "        return window.last + self.lag_ms - 1000\n",
        "the records are read 1 s before every record must be shown",
    ),
    Mutant(
        "no-clock-uncertainty",
        "auth_plugin/safe/flow.py",
        "return math.ceil(sample.rtt_ms / 2) + 3",
        "return 0",
        "the server's clock taken as exactly the measured one",
    ),
    Mutant(
        "ignore-stamp-margin",
        "auth_plugin/safe/reconcile.py",
        "self.timestamp_ms - EARLIEST_BEFORE_MS - margins.stamp_ms,\n"
        "            self.timestamp_ms + self.searched_recv_window + margins.stamp_ms,",
        "self.timestamp_ms - EARLIEST_BEFORE_MS,\n"
        "            self.timestamp_ms + self.searched_recv_window,",
        "the window without D: a record stamped after the check (or before) is missed",
    ),
    Mutant(
        "ignore-visibility-lag",
        "auth_plugin/safe/reconcile.py",
        "        return window.last + self.lag_ms\n",
        "        return window.last\n",
        "read as soon as the window ends: a record not shown yet is missed",
    ),
    Mutant(
        "window-from-t",
        "auth_plugin/safe/reconcile.py",
        "self.timestamp_ms - EARLIEST_BEFORE_MS - margins.stamp_ms,",
        "self.timestamp_ms - margins.stamp_ms,",
        "the window starts at t, not t - 999 (a server ahead of the client)",
    ),
    Mutant(
        "write-errors-not-sent",
        "auth_plugin/safe/wire.py",
        "NOT_SENT = (",
        "NOT_SENT = (httpx.WriteError, httpx.WriteTimeout, httpx.ReadError, ",
        "a write or read error taken for 'never sent': resent",
        # No sandbox fault makes httpx raise WriteError or ReadError (a dropped connection
        # is a RemoteProtocolError): tests/safety/test_transport_errors.py drives each one.
        in_proof=False,
    ),
    Mutant(
        "sends-alike-ignored",
        "auth_plugin/safe/reconcile.py",
        "    if sends_alike > 1:\n",
        "    if sends_alike > 1 and False:\n",
        "a hand description that fits two sends given one's verdict",
    ),
    Mutant(
        "in-flight-not-rival",
        "auth_plugin/safe/sends.py",
        'if self._state[i] == "open" and i not in skip',
        'if self._state[i] == "open" and i not in skip and False',
        "another open send (in flight, unknown) is not a rival",
    ),
    Mutant(
        "no-remeasure-after-wait",
        "auth_plugin/safe/flow.py",
        "            sample = yield from self.sync_clock()  # a clock that stepped meanwhile",
        "            sample = sample  # a clock that stepped meanwhile",
        "the wait is trusted without measuring the server's clock again",
    ),
    Mutant(
        "no-step-back-check",
        "auth_plugin/safe/flow.py",
        "            if drop > sent.uncertainty_ms + now_uncertainty:",
        "            if False:",
        "a server clock that stepped back is not noticed",
    ),
    Mutant(
        "unknown-settles-as-refused",
        "auth_plugin/safe/flow.py",
        "            error.say_when_judged(self.margins)\n",
        "            error.say_when_judged(self.margins)\n            self.sends.refused(sent)\n",
        "a send of unknown outcome settled as refused: no longer anyone's rival",
    ),
    Mutant(
        "408-is-a-rejection",
        "auth_plugin/safe/outcomes.py",
        'Row(_just(408), None, None, "unknown", OutcomeUnknown, DERIVATIVES)',
        'Row(_just(408), None, None, "rejected", RequestRejected, DERIVATIVES)',
        "HTTP 408 (timeout waiting for the backend) taken for a refusal",
    ),
    Mutant(
        "1007-is-a-rejection",
        "auth_plugin/safe/outcomes.py",
        'Row(None, _just(-1007), None, "unknown", OutcomeUnknown, PAPI)',
        'Row(None, _just(-1007), None, "rejected", RequestRejected, PAPI)',
        "-1007 (execution status unknown) with a 4xx taken for a refusal",
    ),
)


def run(mutant: Mutant, tests: list[str]) -> tuple[bool, float, str]:
    """(caught, seconds, the first failure's line) for one mutant."""
    path = ROOT / mutant.path
    original = path.read_text()
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the text to change is not in {mutant.path} once")
    started = time.monotonic()
    try:
        path.write_text(original.replace(mutant.old, mutant.new))
        done = subprocess.run(  # noqa: S603 - our own interpreter and test paths
            [sys.executable, "-m", "pytest", "-x", "-q", *tests],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        path.write_text(original)
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    return done.returncode != 0, time.monotonic() - started, (failed or ["-"])[0]


def main(words: list[str]) -> int:
    proof = "--proof" in words
    names = [word for word in words if word != "--proof"]
    chosen = [m for m in MUTANTS if (not names or m.name in names) and (m.in_proof or not proof)]
    survivors = 0
    for mutant in chosen:
        caught, seconds, first = run(mutant, PROOF if proof else TESTS)
        survivors += not caught
        verdict = "caught" if caught else "SURVIVED"
        print(f"{verdict:8} {mutant.name:26} {seconds:6.1f} s  {mutant.why}", flush=True)
        print(f"         {first}", flush=True)
    print(f"{len(chosen) - survivors} of {len(chosen)} mutants caught")
    return 1 if survivors else 0


if __name__ == "__main__":
    # A stopped run must still restore the file it changed (the `finally` in `run`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise SystemExit(main(sys.argv[1:]))
