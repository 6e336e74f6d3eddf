"""`papi-repay --json`: the run's answer as one JSON object on stdout.

Every key is always there, `null` when it does not apply to this run, so a script can read
the same keys whatever happened (`KEYS`). Amounts are decimal strings, never floats. With
`--json` the human text (the tranId line, the debt table, what `all` repaid) goes to stderr
with the rest, and stdout carries the object alone.

    exit_code       the process's exit code
    result          its name: "ok", "business_rejected", "unknown_executed", ... (ExitCode)
    happened        did the repay happen: "yes", "no", "pending", "counted" or "unknown"
                    (the exit-code table's column)
    error           {"type", "message", "http_status", "code", "msg", "retry_after"}: what
                    stopped the run, or the unknown outcome that was reconciled
    repay           {"asset", "amount", "tran_id", "timestamp_ms", "attempts", "used_weight"}:
                    the repay the server accepted
    confirmation    {"tran_id", "status"}: its record as last read ("CONFIRMED", "FAILED",
                    "PENDING", "NOT_FOUND")
    reconciliation  {"verdict", "tx_id", "candidates", "text", "request"}: the verdict on an
                    unknown outcome or a --check ("executed", "not executed", "pending",
                    "ambiguous", "unknown"); `request` is {"asset", "amount", "timestamp_ms",
                    "recv_window"}
    groups          --check-unresolved: [{"verdict", "sends", "executed", "pending",
                    "not_executed", "text"}], "executed"/"pending" being txIds
    debts           `debt`: {ASSET: {"principal", "interest", "total", "free"}}
    repay_all       `ASSET all`: {"owed": {...as in debts}, "left", "reason", "capped"}
    check_again     the command line that gives the verdict later, when there is one
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from auth_plugin.cli.help import EXIT_CODES, ExitCode
from auth_plugin.safe.results import plain
from auth_plugin.signer.redaction import redact

if TYPE_CHECKING:
    from auth_plugin.safe.reconcile import GroupResult, LoanRequest, ReconcileResult
    from auth_plugin.safe.results import Confirmation, Debt, RepayAllResult, RepayResult

KEYS = (
    "exit_code",
    "result",
    "happened",
    "error",
    "repay",
    "confirmation",
    "reconciliation",
    "groups",
    "debts",
    "repay_all",
    "check_again",
)
_HAPPENED = {code: happened for code, happened, _ in EXIT_CODES}


class Report:
    """The facts of one run, gathered as it goes; `write` prints them as one JSON object."""

    def __init__(self) -> None:
        self.facts: dict[str, Any] = dict.fromkeys(KEYS)

    def error(self, error: BaseException) -> None:
        self.facts["error"] = {
            "type": type(error).__name__,
            "message": redact(str(error)),
            "http_status": getattr(error, "status", None),
            "code": getattr(error, "code", None),
            "msg": getattr(error, "msg", None),
            "retry_after": getattr(error, "retry_after", None),
        }

    def repay(self, result: RepayResult) -> None:
        self.facts["repay"] = {
            "asset": result.asset,
            "amount": result.amount,
            "tran_id": result.tran_id,
            "timestamp_ms": result.timestamp_ms,
            "attempts": result.attempts,
            "used_weight": result.used_weight,
        }

    def confirmation(self, confirmation: Confirmation) -> None:
        self.facts["confirmation"] = {
            "tran_id": confirmation.tran_id,
            "status": confirmation.status,
        }

    def reconciliation(self, result: ReconcileResult) -> None:
        self.facts["reconciliation"] = {
            "verdict": result.verdict.value,
            "tx_id": result.tran_id,
            "candidates": [record.tx_id for record in result.candidates],
            "text": str(result),
            "request": _request(result.request),
        }

    def groups(self, results: Iterable[GroupResult]) -> None:
        self.facts["groups"] = [
            {
                "verdict": result.verdict.value,
                "sends": len(result.sends),
                "executed": [record.tx_id for record in result.executed],
                "pending": [record.tx_id for record in result.pending],
                "not_executed": result.not_executed,
                "text": str(result),
            }
            for result in results
        ]

    def debts(self, debts: Mapping[str, Debt]) -> None:
        self.facts["debts"] = {asset: _debt(debt) for asset, debt in sorted(debts.items())}

    def owed(self, debt: Debt) -> None:
        """What `ASSET all` read before repaying (the rest is known once it has)."""
        self.facts["repay_all"] = {
            "owed": _debt(debt),
            "left": None,
            "reason": None,
            "capped": None,
        }

    def repay_all(self, result: RepayAllResult) -> None:
        self.facts["repay_all"] = {
            "owed": _debt(result.before),
            "left": plain(result.left),
            "reason": result.reason or None,
            "capped": result.capped,
        }

    def check_again(self, line: str) -> None:
        self.facts["check_again"] = line

    def write(self, code: ExitCode, stdout: TextIO) -> None:
        facts = {
            **self.facts,
            "exit_code": int(code),
            "result": code.name.lower(),
            "happened": _HAPPENED[code],
        }
        print(json.dumps(facts, allow_nan=False), file=stdout, flush=True)


def _request(request: LoanRequest) -> dict[str, Any]:
    return {
        "asset": request.asset,
        "amount": request.amount,
        "timestamp_ms": request.timestamp_ms,
        "recv_window": request.recv_window,
    }


def _debt(debt: Debt) -> dict[str, str]:
    return {
        "principal": plain(debt.principal),
        "interest": plain(debt.interest),
        "total": plain(debt.total),
        "free": plain(debt.free),
    }
