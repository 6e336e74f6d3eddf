"""The write-ahead journal's file layer: format, validation, file safety, compaction, and two
real processes appending to one file at once."""

from __future__ import annotations

import fcntl
import os
import re
import stat
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auth_plugin.safe import journal
from auth_plugin.safe.journal import (
    AckLine,
    Journal,
    JournalError,
    RefusedLine,
    SettledLine,
)
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.signer.errors import InvalidInput, PapiError
from auth_plugin.signer.validation import canonical_amount

ID = "0123456789abcdef"
T = 1_700_000_000_000
HOUR = 3_600_000
DAY = 24 * HOUR
KEY = "fake-api-key-" + "k" * 51  # a key-shaped secret that must never reach the disk


def sent(sent_id: str = ID, timestamp_ms: int = T, **fields) -> LoanRequest:
    values = {"kind": "repay", "asset": "BTC", "amount": "0.01", "recv_window": 5000}
    values |= {"offset_ms": -12, "uncertainty_ms": 3} | fields
    return LoanRequest(sent_id=sent_id, timestamp_ms=timestamp_ms, **values)


def sid(n: int) -> str:
    return f"{n:016x}"


@pytest.fixture
def log(tmp_path) -> Journal:
    return Journal(tmp_path / "state" / "a.journal")


# --- the format -------------------------------------------------------------------------------


def test_every_line_kind_round_trips(log):
    lines = [
        sent(),
        sent(
            sid(2),
            kind="borrow",
            asset="USDT",
            amount="1234.5",
            offset_ms=None,
            uncertainty_ms=None,
        ),
        sent(sid(3), recv_window=60_000, offset_ms=0, uncertainty_ms=0),
        AckLine(ID, 2**63 - 1),
        RefusedLine(sid(2)),
        SettledLine(sid(3), "EXECUTED", 7),
        SettledLine(sid(3), "PENDING", 8),
        SettledLine(sid(3), "NOT_EXECUTED", None),
    ]
    log.append(lines[0])
    log.append(*lines[1:])
    assert log.read() == lines
    assert log.skipped == 0
    text = log.path.read_text("ascii").splitlines()
    assert text[0] == f"papi-journal 2 sent {ID} repay BTC 0.01 {T} 5000 -12 3"
    assert text[1] == f"papi-journal 2 sent {sid(2)} borrow USDT 1234.5 {T} 5000 - -"
    assert text[3:5] == [f"papi-journal 2 ack {ID} {2**63 - 1}", f"papi-journal 2 refused {sid(2)}"]
    assert text[-1] == f"papi-journal 2 settled {sid(3)} NOT_EXECUTED -"


def test_a_missing_journal_or_directory_reads_as_empty_and_creates_nothing(tmp_path):
    log = Journal(tmp_path / "missing" / "a.journal")
    assert log.read() == []
    assert log.skipped == 0
    assert not (tmp_path / "missing").exists()
    (tmp_path / "missing").mkdir()
    assert log.read() == []
    assert list((tmp_path / "missing").iterdir()) == []


def test_lines_of_another_version_and_garbled_lines_are_skipped_and_counted(log):
    good = [sent(), AckLine(ID, 5)]
    bad = [
        f"papi-journal 3 ack {ID} 5",
        f"papi-journal 1 sent {ID} repay BTC 0.01 {T} 5000 - -",
        f"ack {ID} 5",
        "",
        "garbage",
        f"papi-journal 2 ack {ID.upper()} 5",
        f"papi-journal 2 ack {ID} 5 ",
        f"papi-journal 2 ack {ID}  5",
        f"papi-journal 2 ack {ID} 5\r",
        f"papi-journal 2 ack {ID} +5",
        f"papi-journal 2 ack {ID} 05",
        f"papi-journal 2 ack {ID} 5_0",
        f"papi-journal 2 ack {ID} \u0665",  # an Arabic-Indic digit: int() takes it
        f"papi-journal 2 ack {ID} -5",
        f"papi-journal 2 ack {ID} {2**63}",
        f"papi-journal 2 ack {ID}",
        f"papi-journal 2 refused {ID} 5",
        f"papi-journal 2 settled {ID} EXECUTED -",
        f"papi-journal 2 settled {ID} NOT_EXECUTED 5",
        f"papi-journal 2 settled {ID} executed 5",
        f"papi-journal 2 settled {ID} AMBIGUOUS 5",
        f"papi-journal 2 sent {ID} repay BTC 0.010 {T} 5000 - -",
        f"papi-journal 2 sent {ID} repay BTC 1e-2 {T} 5000 - -",
        f"papi-journal 2 sent {ID} repay BTC 0 {T} 5000 - -",
        f"papi-journal 2 sent {ID} repay btc 0.01 {T} 5000 - -",
        f"papi-journal 2 sent {ID} lend BTC 0.01 {T} 5000 - -",
        f"papi-journal 2 sent {ID} repay BTC 0.01 {T} 0 - -",
        f"papi-journal 2 sent {ID} repay BTC 0.01 {T} 60001 - -",
        f"papi-journal 2 sent {ID} repay BTC 0.01 {T} 5000 - 3",
        f"papi-journal 2 sent {ID} repay BTC 0.01 {T} 5000 1 -",
        f"papi-journal 2 sent {ID} repay BTC 0.01 {T} 5000 1 -3",
        f"papi-journal 2 sent {ID} repay BTC 0.01 -1 5000 - -",
        f"papi-journal 2 sent {ID} repay BTC 0.01 {T} 5000 - - -",
    ]
    text = "\n".join([_text(good[0]), *bad, _text(good[1])]) + "\n"
    log.path.parent.mkdir()
    log.path.write_bytes(text.encode() + b"\xff\n" + _text(AckLine(ID, 9)).encode())
    assert log.read() == good
    assert log.skipped == len(bad) + 2  # and a non-ASCII line, and a torn last line


def _text(line) -> str:
    return journal._encode(line)


@pytest.mark.parametrize(
    "line",
    [
        sent("0123456789ABCDEF"),
        sent("0123456789abcde"),
        sent("0123456789abcde "),
        sent("0123456789abcde\n"),
        sent(kind="lend"),
        sent(asset="btc"),
        sent(asset="BT C"),
        sent(asset=""),
        sent(asset="A" * 21),
        sent(amount="0.010"),
        sent(amount="1e-2"),
        sent(amount="0"),
        sent(amount="-1"),
        sent(amount=" 1"),
        sent(amount="1\n"),
        sent(amount=Decimal("0.01")),
        sent(timestamp_ms=-1),
        sent(timestamp_ms=True),
        sent(timestamp_ms="1"),
        sent(timestamp_ms=2**63),
        sent(recv_window=0),
        sent(recv_window=60_001),
        sent(offset_ms=None),
        sent(uncertainty_ms=None),
        sent(uncertainty_ms=-1),
        sent(offset_ms=1.5),
        AckLine(ID, -1),
        AckLine(ID, "5"),
        AckLine("x y", 5),
        RefusedLine(ID + "\n"),
        SettledLine(ID, "executed", 5),
        SettledLine(ID, "AMBIGUOUS", 5),
        SettledLine(ID, "EXECUTED", None),
        SettledLine(ID, "PENDING", None),
        SettledLine(ID, "NOT_EXECUTED", 5),
    ],
)
def test_a_bad_field_is_refused_on_write_and_nothing_is_written(log, line):
    with pytest.raises(ValueError, match="journal"):
        log.append(sent(), line)
    assert not log.path.parent.exists()
    log.append(sent())
    with pytest.raises(ValueError):
        log.append(AckLine(ID, 1), line)
    assert log.read() == [sent()]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text("0123456789.", max_size=30),
        st.decimals(min_value=0, max_value=10**20, places=9).map(str),
        st.decimals(min_value=Decimal("1e-8"), max_value=10**19 - 1, places=8).map(
            canonical_amount
        ),
    )
)
def test_the_amount_field_is_exactly_what_canonical_amount_returns(text):
    try:
        canonical = canonical_amount(text) == text
    except InvalidInput:
        canonical = False
    try:
        _text(sent(amount=text))
        written = True
    except ValueError:
        written = False
    assert written == canonical


def test_not_a_line_is_a_type_error(log):
    with pytest.raises(TypeError):
        log.append("papi-journal 2 refused " + ID)  # type: ignore[arg-type]


def test_appending_nothing_touches_nothing(log):
    log.append()
    assert not log.path.parent.exists()


def test_a_lock_held_too_long_is_a_journal_error_and_nothing_is_written(tmp_path):
    log = Journal(tmp_path / "a.journal", lock_timeout=0.1)
    log.append(sent())
    before = log.path.read_bytes()
    holder = os.open(f"{log.path}.lock", os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(JournalError, match="lock .* held by another process for over 0.1 s"):
            log.append(sent(sid(2)))
        with pytest.raises(JournalError, match="held by another process"):
            log.read()
        fcntl.flock(holder, fcntl.LOCK_SH)  # readers share; a writer still waits for it
        assert log.read() == [sent()]
        with pytest.raises(JournalError, match="held by another process"):
            log.append(sent(sid(2)))
    finally:
        os.close(holder)
    assert log.path.read_bytes() == before
    log.append(sent(sid(2)))
    assert log.read() == [sent(), sent(sid(2))]


def test_a_journal_error_says_nothing_was_sent():
    assert issubclass(JournalError, PapiError)
    assert JournalError("x").executed is False


# --- where the journal lives --------------------------------------------------------------------


def test_default_directory():
    assert Journal.default_directory({"PAPI_REPAY_JOURNAL_DIR": "/j", "XDG_STATE_HOME": "/s"}) == (
        Path("/j")
    )
    assert Journal.default_directory({"XDG_STATE_HOME": "/s", "HOME": "/h"}) == Path(
        "/s/papi-repay"
    )
    home = Path("/h/.local/state/papi-repay")
    assert Journal.default_directory({"XDG_STATE_HOME": "relative", "HOME": "/h"}) == home
    assert Journal.default_directory({"PAPI_REPAY_JOURNAL_DIR": "", "HOME": "/h"}) == home
    assert Journal.default_directory({}) == Path.home() / ".local" / "state" / "papi-repay"


def test_one_journal_per_base_url_and_key_and_never_the_key(tmp_path):
    prod = "https://papi.binance.com"
    paths = {
        Journal.for_account(tmp_path, url, key).path
        for url in (prod, "http://127.0.0.1:8000", "http://127.0.0.1:8001", "http://localhost:8000")
        for key in (KEY, KEY[:-1] + "B")
    }
    assert len(paths) == 8
    same = {
        Journal.for_account(tmp_path, url, KEY).path
        for url in (prod, prod + "/", "HTTPS://PAPI.Binance.com:443", f" {prod} ", prod + "?a=1")
    }
    assert len(same) == 1
    for path in paths | same:
        assert path.parent == tmp_path
        assert re.fullmatch(r"[a-z0-9.-]+_[0-9]+-[0-9a-f]{12}\.journal", path.name), path.name
        assert KEY not in str(path) and KEY[:8] not in str(path)
    assert Journal.for_account(tmp_path, prod, KEY).path.name.startswith("papi.binance.com_443-")
    assert Journal.for_account(tmp_path, "http://[::1]:9/", KEY).path.name.startswith("--1_9-")
    log = Journal.for_account(tmp_path, prod, KEY)
    log.append(sent(), AckLine(ID, 1))
    for file in tmp_path.iterdir():
        assert KEY[:8].encode() not in file.read_bytes()


@pytest.mark.parametrize("url", ["ftp://host", "papi.binance.com", "https://", "http://host:x"])
def test_a_base_url_that_is_not_http_is_refused(tmp_path, url):
    with pytest.raises(ValueError):
        Journal.for_account(tmp_path, url, KEY)


# --- file safety ------------------------------------------------------------------------------


def _special(kind: str, path: Path, victim: Path) -> None:
    if kind == "symlink":
        path.symlink_to(victim)
    elif kind == "dangling symlink":
        path.symlink_to(victim.with_name("nowhere"))
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()


SPECIAL = ["symlink", "dangling symlink", "fifo", "directory"]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("suffix", ["", ".lock"])
@pytest.mark.parametrize("kind", SPECIAL)
def test_a_special_file_is_refused_quickly_and_nothing_is_written(tmp_path, kind, suffix):
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    log = Journal(tmp_path / "a.journal")
    if suffix:
        log.path.write_text(_text(sent()) + "\n")
    target = tmp_path / f"a.journal{suffix}"
    _special(kind, target, victim)
    for action in (lambda: log.append(sent()), log.read):
        with pytest.raises(JournalError) as raised:
            action()
        message = str(raised.value)
        assert str(target) in message
        assert "PAPI_REPAY_JOURNAL_DIR" in message
    assert victim.read_text() == "untouched\n"
    assert not victim.with_name("nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.journal", "a.journal.lock", "victim"]
    if suffix:
        assert log.path.read_text() == _text(sent()) + "\n"


def test_new_files_are_private_under_umask_022(tmp_path):
    old = os.umask(0o022)
    try:
        log = Journal(tmp_path / "new" / "deeper" / "a.journal")
        log.append(sent())
    finally:
        os.umask(old)
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(f"{log.path}.lock").stat().st_mode) == 0o600


@pytest.mark.parametrize("action", ["append", "read"])
def test_a_loose_mode_is_tightened(tmp_path, action):
    log = Journal(tmp_path / "a.journal")
    lock = Path(f"{log.path}.lock")
    log.path.write_text(_text(sent()) + "\n")
    lock.touch()
    log.path.chmod(0o666)
    lock.chmod(0o644)
    if action == "append":
        log.append(AckLine(ID, 1))
    else:
        log.read()
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_a_file_of_another_user_is_refused(log, monkeypatch):
    log.append(sent())
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    for action in (lambda: log.append(AckLine(ID, 1)), log.read):
        with pytest.raises(JournalError, match="belongs to another user"):
            action()
    monkeypatch.undo()
    assert log.read() == [sent()]


APPEND_ONE = """
import sys
import os
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.safe.journal import Journal, JournalError
if os.geteuid() == 0:  # root ignores file modes: go on as nobody
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
try:
    Journal(sys.argv[1]).append(LoanRequest("BTC", "1", 1, 1, "repay", "0123456789abcdef"))
except JournalError as error:
    print("JournalError:", error)
"""


def test_an_append_in_a_read_only_directory_is_a_journal_error():
    directory = Path(tempfile.mkdtemp(prefix="papi-journal-ro-"))
    try:
        directory.chmod(0o555)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
        run = subprocess.run(
            [sys.executable, "-c", APPEND_ONE, str(directory / "a.journal")],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert (run.returncode, run.stderr) == (0, "")
        assert run.stdout.startswith("JournalError: can't write the journal "), run.stdout
        assert str(directory / "a.journal") in run.stdout
        assert list(directory.iterdir()) == []
    finally:
        directory.chmod(0o700)
        directory.rmdir()


def test_a_failed_fsync_or_short_write_leaves_the_file_as_it_was(log, monkeypatch):
    log.append(sent())
    before = log.path.read_bytes()

    def failing_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(JournalError, match="Input/output error"):
        log.append(AckLine(ID, 1))
    monkeypatch.undo()
    assert log.path.read_bytes() == before
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, data[:10]))
    with pytest.raises(JournalError, match="short write"):
        log.append(AckLine(ID, 1))
    monkeypatch.undo()
    assert log.path.read_bytes() == before


def test_a_torn_last_line_is_cut_before_the_next_append(log):
    log.append(sent())
    with open(log.path, "ab") as file:
        file.write(_text(AckLine(ID, 123456)).encode()[:-3])  # would read as "ack ... 123"
    assert log.read() == [sent()]
    assert log.skipped == 1
    log.append(RefusedLine(ID))
    assert log.read() == [sent(), RefusedLine(ID)]
    assert log.skipped == 0


# --- compaction -------------------------------------------------------------------------------


def test_compaction_keeps_unresolved_and_recent_sends_and_drops_old_resolved_ones(log, monkeypatch):
    old, older, recent, newest = T - DAY - 1, T - 3 * DAY, T - DAY, T
    lines = [
        sent(sid(1), old),
        AckLine(sid(1), 11),
        sent(sid(2), older),  # unresolved, however old
        sent(sid(3), old),
        RefusedLine(sid(3)),
        sent(sid(4), old),
        SettledLine(sid(4), "NOT_EXECUTED", None),
        sent(sid(5), recent),
        AckLine(sid(5), 55),
        SettledLine(sid(5), "EXECUTED", 55),
        AckLine(sid(6), 66),  # its send is unknown: it can't be dated
        sent(sid(7), old),
        SettledLine(sid(7), "PENDING", 77),
    ]
    log.append(*lines)
    with open(log.path, "ab") as file:
        file.write(b"papi-journal 3 some future format\ngarbage\n")
    lock_inode = Path(f"{log.path}.lock").stat().st_ino
    size = log.path.stat().st_size
    last = sent(sid(8), newest)
    monkeypatch.setattr(journal, "COMPACT_AT", size + len(_text(last)))
    log.append(last)
    kept = [lines[2], *lines[7:11], last]
    assert log.read() == kept
    assert log.skipped == 1  # the other version's line, kept verbatim
    assert b"papi-journal 3 some future format\n" in log.path.read_bytes()
    assert Path(f"{log.path}.lock").stat().st_ino == lock_inode
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert sorted(p.name for p in log.path.parent.iterdir()) == ["a.journal", "a.journal.lock"]


def test_a_file_compaction_cannot_shrink_is_rewritten_only_at_each_doubling(log, monkeypatch):
    monkeypatch.setattr(journal, "COMPACT_AT", 1000)
    rewrites, inode = 0, None
    for n in range(100):  # unresolved sends only: nothing can go
        log.append(sent(sid(n)))
        if inode is not None and log.path.stat().st_ino != inode:
            rewrites += 1
        inode = log.path.stat().st_ino
    size = log.path.stat().st_size
    assert 4000 < size < 8000  # past 1000, 2000 and 4000 bytes: three rewrites
    assert rewrites == 3
    assert log.read() == [sent(sid(n)) for n in range(100)]


WRITER = """
import sys
from auth_plugin.safe import journal
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.safe.journal import AckLine, Journal, JournalError

path, compact_at, tag, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
journal.COMPACT_AT = compact_at
log = Journal(path)
print("ready", flush=True)
sys.stdin.readline()
failures = 0
for i in range(count):
    sent_id = f"{tag}{i:015x}"
    # i % 10: 0 unresolved, 1 resolved recently (both kept), else resolved two days ago.
    timestamp = 1_700_000_000_000 + i - (0 if i % 10 < 2 else 2 * 86_400_000)
    try:
        log.append(LoanRequest("BTC", "0.01", timestamp, 5000, "repay", sent_id))
        if i % 10:
            log.append(AckLine(sent_id, i + 1))
    except JournalError:
        failures += 1
print("failures", failures)
"""


@pytest.mark.timeout(240)
def test_two_processes_appending_at_once_while_compacting_lose_no_line(tmp_path):
    # COMPACT_AT is lowered in the writers so that the file passes it many times.
    path, compact_at, count = tmp_path / "shared.journal", 16 * 1024, 1500
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(compact_at), tag, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in "ab"
    ]
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:  # both start together
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        out, err = writer.communicate(timeout=200)
        assert (writer.returncode, out, err) == (0, "failures 0\n", "")
    log = Journal(path)
    lines = log.read()
    assert log.skipped == 0
    assert path.read_bytes().count(b"\n") == len(lines)
    sends = {line.sent_id for line in lines if isinstance(line, LoanRequest)}
    acked = {line.sent_id for line in lines if isinstance(line, AckLine)}
    unresolved = {f"{tag}{i:015x}" for tag in "ab" for i in range(0, count, 10)}
    recent = {f"{tag}{i:015x}" for tag in "ab" for i in range(1, count, 10)}
    assert unresolved | recent <= sends
    assert recent <= acked
    assert acked <= sends  # no send kept its ack and lost its send line
    assert not acked & unresolved
    # Compaction ran: of the 2 * 1200 old resolved sends written, few are left.
    assert len(sends - unresolved - recent) < 1200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.journal", "shared.journal.lock"]


# --- the directory, and the compaction's new file -----------------------------------------------


@pytest.mark.parametrize("action", ["append", "read"])
def test_a_loose_directory_of_ours_is_tightened(tmp_path, action):
    directory = tmp_path / "journals"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    log = Journal(directory / "a.journal")
    if action == "read":
        log.append(sent())
        directory.chmod(0o777)
        assert log.read() == [sent()]
    else:
        log.append(sent())
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_a_directory_others_may_write_to_is_refused_unless_sticky(tmp_path, monkeypatch):
    directory = tmp_path / "shared"
    directory.mkdir()
    log = Journal(directory / "a.journal")
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)  # the directory is not "ours"
    directory.chmod(0o777)
    for action in (lambda: log.append(sent()), log.read):
        log.path.touch()  # read looks at the directory only when there is a journal
        with pytest.raises(JournalError, match="others may write to it") as raised:
            action()
        assert "PAPI_REPAY_JOURNAL_DIR" in str(raised.value)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o777  # not ours: left alone
    directory.chmod(0o1777)  # sticky, as /tmp: others can't remove or rename our files
    with pytest.raises(JournalError, match="belongs to another user"):  # the file's own check
        log.append(sent())
    monkeypatch.undo()
    directory.chmod(0o700)


def test_compaction_under_umask_022_writes_0600_and_follows_no_planted_link(tmp_path, monkeypatch):
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    log = Journal(tmp_path / "a.journal")
    log.append(sent(sid(1), T - 3 * DAY), AckLine(sid(1), 1))
    spare = tmp_path / "a.journal.compact"
    spare.symlink_to(victim)  # where the shrink step writes its new file
    inode = log.path.stat().st_ino
    monkeypatch.setattr(journal, "COMPACT_AT", log.path.stat().st_size + 1)
    old = os.umask(0o022)
    try:
        log.append(sent(sid(2)))
    finally:
        os.umask(old)
    assert log.path.stat().st_ino != inode  # the file was rewritten
    assert log.read() == [sent(sid(2))]
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert victim.read_text() == "untouched\n"
    assert not spare.exists() and not spare.is_symlink()
