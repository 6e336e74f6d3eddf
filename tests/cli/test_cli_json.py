"""papi-repay --json: one JSON object on stdout with the same keys whatever happened; the
human text on stderr."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from auth_plugin.cli import ExitCode, main
from auth_plugin.cli.report import KEYS
from tests.safety.helpers import ACCOUNT, RECORDS, repay_posts

JSON_PREFIX = '{"exit_code": '


def answer(run: Any) -> dict[str, Any]:
    """The one JSON object of a run: alone on stdout, every key there, exit code matching."""
    assert run.out.startswith(JSON_PREFIX) and run.out.count("\n") == 1, run.out
    document = json.loads(run.out)
    assert tuple(document) == KEYS
    assert document["exit_code"] == run.code
    assert document["result"] == ExitCode(run.code).name.lower()
    return document


def url(sandbox) -> tuple[str, str, str]:
    return ("--base-url", sandbox.base_url, "--json")


def test_a_confirmed_repay(sandbox, hmac_env, cli):
    run = cli("BTC", "0.01", *url(sandbox))

    got = answer(run)
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert got["happened"] == "yes"
    assert got["repay"] == {
        "asset": "BTC",
        "amount": "0.01",
        "tran_id": record.tran_id,
        "timestamp_ms": got["repay"]["timestamp_ms"],
        "attempts": 1,
        "used_weight": got["repay"]["used_weight"],
    }
    assert isinstance(got["repay"]["timestamp_ms"], int)
    assert got["confirmation"] == {"tran_id": record.tran_id, "status": "CONFIRMED"}
    assert [got[k] for k in ("error", "reconciliation", "groups", "debts", "check_again")] == [
        None
    ] * 5
    assert str(record.tran_id) in run.err  # the human line moved to stderr


def test_a_business_rejection_carries_the_servers_code_and_message(sandbox, hmac_env, cli):
    got = answer(cli("BTC", "1000", *url(sandbox)))

    assert (got["exit_code"], got["result"], got["happened"]) == (6, "business_rejected", "no")
    assert got["error"] == {
        "type": "BusinessRejection",
        "message": got["error"]["message"],
        "http_status": 400,
        "code": -3015,
        "msg": "Repay amount exceeds borrow amount.",
        "retry_after": None,
    }
    assert got["repay"] is None


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["BTC", "0.000000001"], "amount 0.000000001 has more than 8 decimal places"),
        (["BTC", "1", "--recv-window", "x"], "argument --recv-window"),
        (["BTC"], "the following arguments are required: AMOUNT"),
    ],
)
def test_bad_input_is_answered_too_and_nothing_is_sent(sandbox, hmac_env, cli, argv, says):
    got = answer(cli(*argv, *url(sandbox)))

    assert (got["result"], got["happened"]) == ("bad_input", "no")
    assert got["error"]["type"] == "InvalidInput"
    assert says in got["error"]["message"]
    assert sandbox.counters.snapshot() == {}


def test_missing_credentials(sandbox, monkeypatch, cli):
    monkeypatch.delenv("BINANCE_API_KEY", raising=False)

    got = answer(cli("BTC", "1", *url(sandbox)))

    assert (got["result"], got["error"]["type"]) == ("credentials", "KeyLoadError")


def test_an_unknown_outcome_found_executed(sandbox, hmac_env, cli):
    sandbox.faults.inject("drop_after")

    got = answer(cli("BTC", "0.01", "--recv-window", "1000", *url(sandbox)))

    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert (got["result"], got["happened"]) == ("unknown_executed", "yes")
    assert got["error"]["type"] == "OutcomeUnknown"
    reconciliation = got["reconciliation"]
    assert reconciliation["verdict"] == "executed"
    assert reconciliation["tx_id"] == record.tran_id
    assert reconciliation["candidates"] == [record.tran_id]
    assert reconciliation["text"].startswith(f"executed (txId {record.tran_id},")
    assert reconciliation["request"]["asset"] == "BTC"
    assert reconciliation["request"]["recv_window"] == 1000
    assert got["check_again"] is None
    assert repay_posts(sandbox) == 1


def test_an_unknown_outcome_found_not_executed(sandbox, hmac_env, cli):
    sandbox.faults.inject("overloaded")

    got = answer(cli("BTC", "0.01", "--recv-window", "1000", *url(sandbox)))

    assert (got["result"], got["happened"]) == ("unknown_not_executed", "no")
    assert got["reconciliation"]["verdict"] == "not executed"
    assert got["reconciliation"]["tx_id"] is None
    assert got["error"]["code"] == -1008


def test_unreadable_records_leave_the_line_to_check_again(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")
    sandbox.faults.inject("unavailable", times=None, path=RECORDS)

    got = answer(cli("BTC", "0.01", "--recv-window", "1000", *url(sandbox)))

    assert (got["result"], got["happened"]) == ("unknown_unresolved", "unknown")
    assert got["reconciliation"] is None
    assert got["error"]["type"] == "ServiceUnavailable"
    assert got["check_again"].startswith("to check again: papi-repay BTC 0.01 --check ")


def test_a_pending_verdict_and_its_check(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")
    sandbox.faults.inject("pending_record")

    got = answer(cli("BTC", "0.01", "--recv-window", "1000", *url(sandbox)))

    assert (got["result"], got["happened"]) == ("unknown_pending", "pending")
    assert got["reconciliation"]["verdict"] == "pending"
    timestamp = got["reconciliation"]["request"]["timestamp_ms"]
    (record,) = sandbox.ledger.repays(ACCOUNT)
    sandbox.ledger.set_record_status(ACCOUNT, record.tran_id, "CONFIRMED")
    check = answer(
        cli("BTC", "0.01", "--check", str(timestamp), "--recv-window", "1000", *url(sandbox))
    )
    assert (check["result"], check["reconciliation"]["tx_id"]) == (
        "unknown_executed",
        record.tran_id,
    )
    assert check["error"] is None


def test_accepted_not_confirmed_yet(sandbox, hmac_env, cli):
    sandbox.faults.inject("pending_record")

    got = answer(cli("BTC", "0.01", "--confirm-within", "2", *url(sandbox)))

    assert (got["result"], got["happened"]) == ("accepted_pending", "pending")
    assert got["confirmation"]["status"] == "PENDING"
    assert got["check_again"].startswith("to check again: papi-repay BTC 0.01 --check ")


def test_alike_repays_settled_together(sandbox, hmac_env, cli, capsys):
    sandbox.faults.inject("unknown_after", times=2)
    sandbox.faults.inject("overloaded", times=1)
    sandbox.faults.inject("unavailable", times=None, path=RECORDS)
    for _ in range(3):
        main(["BTC", "0.01", "--base-url", sandbox.base_url], sleep=lambda seconds: None)
    sandbox.faults.clear()

    got = answer(cli("BTC", "0.01", "--check-unresolved", *url(sandbox)))

    executed = sorted(record.tran_id for record in sandbox.ledger.repays(ACCOUNT))
    assert (got["result"], got["happened"]) == ("unknown_group_settled", "counted")
    [group] = got["groups"]
    assert group["verdict"] == "settled"
    assert (group["sends"], sorted(group["executed"]), group["pending"]) == (3, executed, [])
    assert group["not_executed"] == 1
    assert group["text"].startswith("2 of 3 repays of 0.01 BTC executed")
    again = answer(cli("BTC", "0.01", "--check-unresolved", *url(sandbox)))
    assert (again["result"], again["groups"]) == ("ok", [])


def test_debt(sandbox, hmac_env, cli):
    got = answer(cli("debt", *url(sandbox)))

    assert got["debts"] == {
        "BTC": {"principal": "100", "interest": "0.5", "total": "100.5", "free": "200"},
        "USDT": {"principal": "100", "interest": "0", "total": "100", "free": "50"},
    }
    assert got["happened"] == "yes"


def test_repay_all(sandbox, hmac_env, cli):
    run = cli("BTC", "all", *url(sandbox))

    got = answer(run)

    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert got["result"] == "ok"
    assert got["repay_all"] == {
        "owed": {"principal": "100", "interest": "0.5", "total": "100.5", "free": "200"},
        "left": "0",
        "reason": None,
        "capped": False,
    }
    assert (got["repay"]["tran_id"], Decimal(got["repay"]["amount"])) == (
        record.tran_id,
        Decimal("100.5"),
    )
    assert "owed: 100.5 BTC" in run.err  # the human lines, on stderr


def test_ctrl_c(sandbox, hmac_env, capsys):
    sandbox.faults.inject("unknown_after")

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    code = main(["BTC", "0.01", *url(sandbox)], sleep=interrupt)

    out = capsys.readouterr().out
    got = json.loads(out)
    assert (code, got["result"], got["happened"]) == (130, "interrupted", "unknown")
    assert got["check_again"].startswith("to check again: papi-repay BTC 0.01 --check ")


def test_an_internal_error_is_answered_without_a_traceback(sandbox, hmac_env, cli, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("auth_plugin.safe.sync_client.RepayClient.repay", broken)

    got = answer(cli("BTC", "0.01", *url(sandbox)))

    assert (got["result"], got["error"]["type"], got["error"]["message"]) == (
        "internal_error",
        "RuntimeError",
        "boom",
    )


def test_no_secret_in_the_answer(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")
    run = cli("BTC", "0.01", "--recv-window", "1000", *url(sandbox))
    assert hmac_env.secret not in run.out + run.err
    assert hmac_env.api_key not in run.out + run.err
    assert "signature" not in run.out
