"""What earlier `papi-repay` runs learnt, so reconciliation can tell their repays from this one.

Each run is a new process: without a memory, a repay the previous run made a moment ago
(same asset and amount, inside this request's window) would look like this one's record. The
journal is a small append-only text file, one fact a line, no secrets:

    ack <tranId> <asset> <amount> <timestamp>              a repay answered with its tranId
    unknown <asset> <amount> <timestamp> <recvWindow>      a repay whose outcome is unknown
    settled <asset> <amount> <timestamp> <verdict> <txId>  a verdict that settled an unknown

Location: $PAPI_REPAY_JOURNAL, else $XDG_STATE_HOME/papi-repay/journal, else
~/.local/state/papi-repay/journal. Only its last MAX_READ_BYTES are read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from auth_plugin.cli.help import ENV_JOURNAL
from auth_plugin.safe.reconcile import ReconcileResult, SentRepay, TranIdLedger, Verdict

MAX_READ_BYTES = 256 * 1024


def default_path(env: Mapping[str, str]) -> Path:
    if env.get(ENV_JOURNAL):
        return Path(env[ENV_JOURNAL])
    state = env.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "papi-repay" / "journal"


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load_into(self, ledger: TranIdLedger) -> None:
        """Teach `ledger` the facts of earlier runs (unreadable lines are skipped)."""
        for line in self._tail():
            fields = line.split()
            try:
                if fields[0] == "ack" and len(fields) == 5:
                    request = SentRepay(fields[2], fields[3], int(fields[4]), 0)
                    ledger.executed(int(fields[1]), request)
                elif fields[0] == "unknown" and len(fields) == 5:
                    ledger.unknown(SentRepay(fields[1], fields[2], int(fields[3]), int(fields[4])))
                elif fields[0] == "settled" and len(fields) == 6:
                    request = SentRepay(fields[1], fields[2], int(fields[3]), 0)
                    tx_id = None if fields[5] == "-" else int(fields[5])
                    ledger.resolved(request, tx_id)
            except (IndexError, ValueError):
                continue

    def acknowledged(self, tran_id: int, request: SentRepay) -> None:
        self._append(f"ack {tran_id} {request.asset} {request.amount} {request.timestamp_ms}")

    def unknown(self, request: SentRepay) -> None:
        self._append(
            f"unknown {request.asset} {request.amount} {request.timestamp_ms} {request.recv_window}"
        )

    def settled(self, result: ReconcileResult) -> None:
        if result.verdict in (Verdict.EXECUTED, Verdict.PENDING, Verdict.NOT_EXECUTED):
            request = result.request
            tx_id = "-" if result.tran_id is None else str(result.tran_id)
            self._append(
                f"settled {request.asset} {request.amount} {request.timestamp_ms} "
                f"{result.verdict.name} {tx_id}"
            )

    def _tail(self) -> list[str]:
        try:
            with open(self.path, "rb") as file:
                size = file.seek(0, os.SEEK_END)
                file.seek(max(0, size - MAX_READ_BYTES))
                data = file.read(MAX_READ_BYTES)
        except OSError:
            return []
        if size > 4 * MAX_READ_BYTES:
            self._shrink_to(data)
        lines = data.decode("ascii", "replace").splitlines()
        return lines[1:] if len(data) == MAX_READ_BYTES and lines else lines

    def _shrink_to(self, tail: bytes) -> None:
        """Keep only the tail that is read anyway (a rare rewrite keeps the file bounded)."""
        spare = self.path.with_name(self.path.name + ".new")
        try:
            spare.write_bytes(tail[tail.find(b"\n") + 1 :])
            os.replace(spare, self.path)
        except OSError:
            pass

    def _append(self, line: str) -> None:
        # Best effort: a journal that can't be written must not turn a repay into an error.
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="ascii") as file:
                file.write(line + "\n")
        except OSError:
            pass
