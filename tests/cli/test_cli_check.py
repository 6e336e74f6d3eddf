"""papi-repay's answers that must never be wrong: --check refuses implausible input and takes
what the journal knows, exit 0 means a CONFIRMED record, alike unknown repays are settled
together, and Ctrl-C leaves a line to resume."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from auth_plugin.cli import ExitCode, main
from tests.safety.helpers import ACCOUNT, RECORDS, REPAY, Sleeper, repay_posts


def _url(sandbox):
    return ("--base-url", sandbox.base_url)


@pytest.mark.parametrize(
    ("stamp", "says"),
    [
        ("1796548930", "looks like seconds"),  # seconds, not ms
        ("179654893037", "from 2017 on"),  # a digit dropped
        ("17965489303770", "from 2017 on"),  # a digit too many (was an OverflowError)
        ("999999999999999999", "from 2017 on"),
    ],
)
def test_an_implausible_check_timestamp_exits_2_with_a_hint(sandbox, hmac_env, cli, stamp, says):
    run = cli("BTC", "0.01", "--check", stamp, *_url(sandbox))
    assert run.code == ExitCode.BAD_INPUT, run.err
    assert says in run.err and "internal error" not in run.err
    assert sandbox.counters.snapshot() == {}  # nothing sent at all


def test_a_check_timestamp_ahead_of_the_server_exits_2_without_waiting(sandbox, hmac_env, cli):
    ahead = sandbox.clock.now_ms() + 3_600_000
    run = cli("BTC", "0.01", "--check", str(ahead), *_url(sandbox))
    assert run.code == ExitCode.BAD_INPUT, run.err
    assert "ahead of the server's time" in run.err
    assert repay_posts(sandbox) == 0


def test_check_without_recv_window_assumes_the_largest(sandbox, hmac_env, cli):
    # A repay signed with recvWindow 50000 and executed late in it: --check without
    # --recv-window must still find it (the old default of 5000 said "not executed").
    stamp = sandbox.clock.now_ms()
    record = sandbox.ledger.repay(ACCOUNT, "BTC", Decimal("0.01"), stamp + 45_000)
    run = cli("BTC", "0.01", "--check", str(stamp), "--no-journal", *_url(sandbox))
    assert run.code == ExitCode.UNKNOWN_EXECUTED, run.err
    assert f"txId {record.tran_id}" in run.err


def test_a_typed_recv_window_too_small_is_ambiguous_never_not_executed(sandbox, hmac_env, cli):
    stamp = sandbox.clock.now_ms()
    sandbox.ledger.repay(ACCOUNT, "BTC", Decimal("0.01"), stamp + 45_000)
    run = cli(
        "BTC", "0.01", "--check", str(stamp), "--recv-window", "5000", "--no-journal",
        *_url(sandbox),
    )  # fmt: skip
    assert run.code == ExitCode.UNKNOWN_AMBIGUOUS, run.err
    assert "outside the recvWindow you gave (5000 ms)" in run.err


def test_check_takes_the_recv_window_from_the_journal(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")
    run = cli("BTC", "0.01", "--recv-window", "2000", *_url(sandbox))
    assert run.code == ExitCode.UNKNOWN_EXECUTED, run.err
    stamp = re.search(r"--check (\d+) --recv-window 2000", run.err)
    assert stamp is None  # settled: no line to check again
    (record,) = sandbox.ledger.repays(ACCOUNT)
    again = cli("BTC", "0.01", "--check", str(_signed(run.err)), *_url(sandbox))
    assert again.code == ExitCode.UNKNOWN_EXECUTED, again.err
    assert f"txId {record.tran_id}" in again.err


def _signed(err: str) -> int:
    found = re.search(r"\(timestamp (\d+)\)", err)
    assert found is not None, err
    return int(found.group(1))


def test_exit_0_only_once_the_record_is_confirmed(sandbox, hmac_env, cli):
    sandbox.faults.inject("pending_record")
    run = cli("BTC", "0.01", "--confirm-within", "2", *_url(sandbox))
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert run.code == ExitCode.ACCEPTED_PENDING == 17, run.err
    assert run.out.strip() == str(record.tran_id)
    assert f"txId {record.tran_id}: PENDING" in run.err and "--check" in run.err
    assert repay_posts(sandbox) == 1


def test_a_record_that_turns_failed_exits_18(sandbox, hmac_env, capsys):
    sandbox.faults.inject("pending_record")

    def fail_it(seconds: float) -> None:
        (record,) = sandbox.ledger.repays(ACCOUNT)
        sandbox.ledger.set_record_status(ACCOUNT, record.tran_id, "FAILED")

    code = main(["BTC", "0.01", *_url(sandbox)], sleep=fail_it)
    assert code == ExitCode.ACCEPTED_FAILED == 18
    assert "FAILED" in capsys.readouterr().err


def test_ctrl_c_during_the_wait_prints_the_line_to_resume(sandbox, hmac_env, capsys):
    sandbox.faults.inject("unknown_after")

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    code = main(["BTC", "0.01", *_url(sandbox)], sleep=interrupt)
    err = capsys.readouterr().err
    assert code == ExitCode.INTERRUPTED == 130
    assert "interrupted" in err and "to check again: papi-repay BTC 0.01 --check " in err
    assert repay_posts(sandbox) == 1


def test_alike_unknown_repays_are_settled_together(sandbox, hmac_env, cli, capsys):
    # Three repays of the same amount whose outcome stayed unknown (the records could not be
    # read), two executed: one by one each is ambiguous (the records can't say whose is
    # whose); together, "2 of 3 executed" settles all three.
    sandbox.faults.inject("unknown_after", times=2)
    sandbox.faults.inject("overloaded", times=1)
    sandbox.faults.inject("unavailable", times=None, path=RECORDS)
    for _ in range(3):
        code = main(["BTC", "0.01", *_url(sandbox)], sleep=lambda seconds: None)
        assert code == ExitCode.UNKNOWN_UNRESOLVED, capsys.readouterr().err
    sandbox.faults.clear()
    assert len(sandbox.ledger.repays(ACCOUNT)) == 2
    one = cli("BTC", "0.01", "--check", str(_signed(capsys.readouterr().err)), *_url(sandbox))
    assert one.code == ExitCode.UNKNOWN_AMBIGUOUS, one.err
    run = cli("BTC", "0.01", "--check-unresolved", *_url(sandbox))
    assert run.code == ExitCode.UNKNOWN_GROUP_SETTLED == 16, run.err
    assert "2 of 3 repays of 0.01 BTC executed" in run.err
    again = cli("BTC", "0.01", "--check-unresolved", *_url(sandbox))
    assert again.code == ExitCode.OK and "no unresolved repay" in again.err
    assert repay_posts(sandbox) == 3


def test_the_wait_is_announced_with_its_length(sandbox, hmac_env, capsys):
    from auth_plugin.cli.command import Countdown

    waits: list[float] = []
    sleep = Sleeper(clock=sandbox.clock)
    countdown = Countdown(__import__("sys").stderr, sleep=lambda s: (waits.append(s), sleep(s)))
    countdown(12.5)
    err = capsys.readouterr().err
    assert "waiting 12.5 s until the request can no longer execute" in err
    assert sum(waits) == pytest.approx(12.5) and max(waits) <= 1.0
    assert REPAY  # (the sandbox saw nothing: a countdown sends nothing)
    assert sandbox.counters.snapshot() == {}
