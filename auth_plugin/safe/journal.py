"""The write-ahead journal of money-moving sends: one file per account, shared by every run.

Each send is recorded before it leaves, so that reconciliation (in this run or a later one) can
tell this client's sends from each other and from another run's. One ASCII line per fact, never
a secret (no key, signature or URL):

    papi-journal 2 sent <sent_id> <kind> <asset> <amount> <timestamp_ms> <recv_window>
                        <offset_ms|-> <uncertainty_ms|->                   (on one line)
    papi-journal 2 ack <sent_id> <tran_id>
    papi-journal 2 refused <sent_id>
    papi-journal 2 settled <sent_id> <EXECUTED|PENDING|NOT_EXECUTED> <tx_id|->

Every process serialises on flock(2) of `<path>.lock`, a file that is never replaced, and opens
the journal only while holding it: a compaction's os.replace can't leave a writer appending to
the old file. An append is one write(2) followed by fsync; any failure raises `JournalError`,
and then the caller sends nothing. POSIX only.

The files are untrusted input: never followed through a symlink, never opened blocking (a FIFO
is refused, not waited on), refused unless regular and the user's, created 0600 (a compaction's
new file too) and tightened when looser; the directory, when the user's, is tightened to 0700.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from auth_plugin.client.defaults import DEFAULT_PORTS
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.signer.errors import PapiError

ENV_JOURNAL_DIR = "PAPI_REPAY_JOURNAL_DIR"
VERSION = "2"
# An append is one write and an fsync: a lock held for seconds is a process that stopped.
LOCK_TIMEOUT_SECONDS = 10.0
LOCK_POLL_SECONDS = 0.01
# Compaction runs when an append takes the file past COMPACT_AT, 2 * COMPACT_AT, 4 * ... bytes:
# a file whose lines must all be kept is not rewritten on every append.
COMPACT_AT = 1 << 20
KEEP_RESOLVED_MS = 24 * 60 * 60 * 1000
KINDS = ("repay", "borrow")
VERDICTS = ("EXECUTED", "PENDING", "NOT_EXECUTED")

_PREFIX = f"papi-journal {VERSION} "
_INT64_MAX = (1 << 63) - 1
_SENT_ID = re.compile(r"[0-9a-f]{16}", re.ASCII)
_ASSET = re.compile(r"[A-Z0-9]{1,20}", re.ASCII)
# What canonical_amount returns: > 0, at most 19 integer digits and 8 decimals, no zero at the
# end of a fraction, none ahead of the integer part.
_AMOUNT = re.compile(r"[1-9][0-9]{0,18}(?:\.[0-9]{0,7}[1-9])?|0\.[0-9]{0,7}[1-9]", re.ASCII)


@dataclass(frozen=True, slots=True)
class AckLine:
    """The send was answered 200 with this tranId."""

    sent_id: str
    tran_id: int


@dataclass(frozen=True, slots=True)
class RefusedLine:
    """The send was answered with a documented rejection: not executed."""

    sent_id: str


@dataclass(frozen=True, slots=True)
class SettledLine:
    """Reconciliation settled the send: the verdict's name and the txId it owns (None for
    NOT_EXECUTED)."""

    sent_id: str
    verdict: str
    tx_id: int | None


# A send is written as its own record (a `LoanRequest`, with its sent_id), before it leaves.
Line = LoanRequest | AckLine | RefusedLine | SettledLine


class JournalError(PapiError):
    """The journal can't be written or read safely. Nothing was sent (`executed` is False):
    the caller must not send a request it could not record."""

    executed: ClassVar[bool | None] = False


class Journal:
    """One journal file (`path`) and its lock file (`path` + ".lock"). A lock held by another
    process for longer than `lock_timeout` seconds (a process stopped mid-write, a hung file
    system) is a JournalError, not a wait without end: the send then never leaves."""

    def __init__(self, path: Path | str, *, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.skipped = 0  # lines the last `read` skipped: another version's, garbled or torn

    @staticmethod
    def default_directory(env: Mapping[str, str]) -> Path:
        """$PAPI_REPAY_JOURNAL_DIR, else $XDG_STATE_HOME/papi-repay, else
        ~/.local/state/papi-repay."""
        if env.get(ENV_JOURNAL_DIR):
            return Path(env[ENV_JOURNAL_DIR])
        state = env.get("XDG_STATE_HOME", "")
        if os.path.isabs(state):  # the XDG spec: a relative path is to be ignored
            return Path(state) / "papi-repay"
        return Path(env.get("HOME") or Path.home()) / ".local" / "state" / "papi-repay"

    @classmethod
    def for_account(cls, directory: Path | str, base_url: str, api_key: str) -> Journal:
        """The journal of one base URL and API key: its name holds the host, the port and 12 hex
        digits of a SHA-256 of both, never the key. ValueError for a base URL that is not
        http(s)://host[:port][/path]."""
        parts = urlsplit(base_url.strip())
        scheme = parts.scheme.lower()
        host = parts.hostname  # lower-cased, without user info
        if scheme not in DEFAULT_PORTS or not host:
            raise ValueError(f"base URL {base_url!r:.80} is not http(s)://host[:port][/path]")
        port = parts.port or DEFAULT_PORTS[scheme]
        normalised = f"{scheme}://{host}:{port}{parts.path.rstrip('/')}"
        digest = hashlib.sha256(f"{normalised}\n{api_key}".encode()).hexdigest()[:12]
        name = f"{re.sub(r'[^a-z0-9.-]', '-', host)}_{port}-{digest}.journal"
        return cls(Path(directory) / name)

    def append(self, *lines: Line) -> None:
        """Append `lines` in one write, fsync'd, under the exclusive lock (ValueError for a bad
        field, before anything is written; JournalError for any failure to write)."""
        payload = "".join(_encode(line) + "\n" for line in lines).encode("ascii")
        if not payload:
            return
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _checked_directory(self.path.parent)
            with self._locked(fcntl.LOCK_EX):
                with _opened(self.path, os.O_RDWR | os.O_APPEND, create=True) as fd:
                    size = _without_torn_tail(fd)
                    new_size = size + len(payload)
                    if (new_size // COMPACT_AT).bit_length() <= (size // COMPACT_AT).bit_length():
                        _write_synced(fd, payload, size)
                        return
                    kept = _compacted(_read_all(fd) + payload)
                _replace(self.path, kept)
        except OSError as error:
            raise _error(self.path, error, "write") from error

    def read(self) -> list[Line]:
        """Every line of this version, in file order, under the shared lock ([] when there is
        no journal). The lines skipped are counted in `self.skipped`."""
        self.skipped = 0
        if not os.path.lexists(self.path):
            return []
        try:
            _checked_directory(self.path.parent)
            with self._locked(fcntl.LOCK_SH), _opened(self.path, os.O_RDONLY) as fd:
                data = _read_all(fd)
        except FileNotFoundError:
            return []
        except OSError as error:
            raise _error(self.path, error, "read") from error
        *complete, tail = data.split(b"\n")
        lines = []
        for raw in complete:
            line = _decode(raw)
            if line is None:
                self.skipped += 1
            else:
                lines.append(line)
        if tail:  # a torn last line: a write that never finished
            self.skipped += 1
        return lines

    @contextlib.contextmanager
    def _locked(self, operation: int) -> Iterator[None]:
        lock = self.path.with_name(self.path.name + ".lock")
        with _opened(lock, os.O_RDONLY, create=True) as fd:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, operation | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise JournalError(
                            f"the journal's lock {lock} has been held by another process for "
                            f"over {self.lock_timeout:g} s: is a papi-repay stopped, or the file "
                            "system hung? Try again once the lock is free"
                        ) from None
                    time.sleep(LOCK_POLL_SECONDS)
            yield  # closing the descriptor releases the lock


# --- the file ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _opened(path: Path, flags: int, *, create: bool = False) -> Iterator[int]:
    """A descriptor of the regular file `path`, owned by this user, mode tightened to at most
    0600 (exclusively created with 0600 when missing and `create`)."""
    flags |= os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a symlink or FIFO: refused, no hang
    created = False
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        if not create:
            raise
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
            created = True
        except FileExistsError:  # another process created it first
            fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise JournalError(_not_regular(path))
        if info.st_uid != os.geteuid():
            raise JournalError(
                f"{path} belongs to another user (uid {info.st_uid}): remove it, or set "
                f"${ENV_JOURNAL_DIR} to a directory of your own"
            )
        mode = 0o600 if created else stat.S_IMODE(info.st_mode) & 0o700
        if mode != stat.S_IMODE(info.st_mode):
            os.fchmod(fd, mode)
        if created:
            _sync_directory(path.parent)
        yield fd
    finally:
        os.close(fd)


def _checked_directory(directory: Path) -> None:
    """The journal's directory: one of this user's is tightened to at most 0700 (the file names
    tell which servers and keys you use); one of another user's that others may write to, and
    that has no sticky bit, is refused: they could remove or replace the journal."""
    info = os.stat(directory)
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid == os.geteuid():
        if mode & 0o077:
            os.chmod(directory, mode & 0o700)
    elif mode & 0o022 and not mode & stat.S_ISVTX:
        raise JournalError(
            f"{directory} belongs to another user (uid {info.st_uid}) and others may write to "
            f"it: set ${ENV_JOURNAL_DIR} to a directory of your own"
        )


def _without_torn_tail(fd: int) -> int:
    """The size of the file after cutting a torn last line, which the next line would otherwise
    be glued to. Its write never finished, so its request was never sent."""
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        size = _read_all(fd).rfind(b"\n") + 1
        os.ftruncate(fd, size)
    return size


def _write_synced(fd: int, payload: bytes, size: int) -> None:
    try:
        if os.write(fd, payload) != len(payload):
            raise OSError(errno.ENOSPC, "short write (is the disk full?)")
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)  # leave no half of a failed append
        raise


def _replace(path: Path, data: bytes) -> None:
    spare = path.with_name(path.name + ".compact")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(spare)  # a crashed compaction's leftover (the exclusive lock is held)
    fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(fd, 0o600)
            file.write(data)
            file.flush()
            os.fsync(fd)
        os.replace(spare, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(spare)
        raise
    _sync_directory(path.parent)


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _not_regular(path: Path | str) -> str:
    return (
        f"{path} is not a regular file (a directory, FIFO, socket or device): move it away, or "
        f"set ${ENV_JOURNAL_DIR} to another directory"
    )


def _error(path: Path, error: OSError, action: str) -> JournalError:
    where = error.filename or path
    if error.errno == errno.ELOOP:
        return JournalError(
            f"{where} is a symbolic link; the journal and its lock file must be regular files: "
            f"remove the link, or set ${ENV_JOURNAL_DIR} to another directory"
        )
    if error.errno in (errno.EISDIR, errno.ENXIO):
        return JournalError(_not_regular(where))
    return JournalError(
        f"can't {action} the journal {where}: {error.strerror or error}; check that the "
        f"directory is yours, writable and not full (or set ${ENV_JOURNAL_DIR})"
    )


# --- compaction -------------------------------------------------------------------------------


def _compacted(data: bytes) -> bytes:
    """The lines to keep: all of each unresolved send (its send line and nothing else), those of
    resolved sends signed within KEEP_RESOLVED_MS of the newest send, and those this version
    can't judge (another version's, or a line whose send is unknown)."""
    entries: list[tuple[bytes, Line | None]] = []
    for raw in data.split(b"\n")[:-1]:
        line = _decode(raw)
        if line is not None or _other_version(raw):
            entries.append((raw, line))
    signed = {
        line.sent_id: line.timestamp_ms for _, line in entries if isinstance(line, LoanRequest)
    }
    resolved = {
        line.sent_id
        for _, line in entries
        if line is not None and not isinstance(line, LoanRequest)
    }
    oldest_kept = max(signed.values(), default=0) - KEEP_RESOLVED_MS

    def kept(line: Line | None) -> bool:
        if line is None or line.sent_id not in resolved:
            return True
        timestamp = signed.get(line.sent_id)
        return timestamp is None or timestamp >= oldest_kept

    return b"".join(raw + b"\n" for raw, line in entries if kept(line))


def _other_version(raw: bytes) -> bool:
    fields = raw.split(b" ", 2)
    return fields[0] == b"papi-journal" and len(fields) > 1 and fields[1] != VERSION.encode()


# --- the line format --------------------------------------------------------------------------


def _encode(line: Line) -> str:
    """The text of `line` (no newline). ValueError if a field is outside its format."""
    if isinstance(line, LoanRequest):
        if (line.offset_ms is None) != (line.uncertainty_ms is None):
            raise ValueError("journal: offset_ms and uncertainty_ms are both None or both ints")
        fields = [
            "sent",
            _match("sent_id", line.sent_id or "", _SENT_ID),
            _one_of("kind", line.kind, KINDS),
            _match("asset", line.asset, _ASSET),
            _match("amount", line.amount, _AMOUNT),
            _int("timestamp_ms", line.timestamp_ms, 0),
            _int("recv_window", line.recv_window, 1, 60_000),
            _int_or_dash("offset_ms", line.offset_ms, -_INT64_MAX),
            _int_or_dash("uncertainty_ms", line.uncertainty_ms, 0),
        ]
    elif isinstance(line, AckLine):
        fields = ["ack", _match("sent_id", line.sent_id, _SENT_ID), _int("tran_id", line.tran_id)]
    elif isinstance(line, RefusedLine):
        fields = ["refused", _match("sent_id", line.sent_id, _SENT_ID)]
    elif isinstance(line, SettledLine):
        verdict = _one_of("verdict", line.verdict, VERDICTS)
        if (line.tx_id is None) != (verdict == "NOT_EXECUTED"):
            raise ValueError("journal: a settled line has a tx_id unless its verdict NOT_EXECUTED")
        fields = ["settled", _match("sent_id", line.sent_id, _SENT_ID), verdict]
        fields.append(_int_or_dash("tx_id", line.tx_id))
    else:
        raise TypeError(f"not a journal line: {type(line).__name__}")
    return _PREFIX + " ".join(fields)


def _decode(raw: bytes) -> Line | None:
    """The line `raw` holds if it is exactly a line of this version (as `_encode` writes it)."""
    try:
        text = raw.decode("ascii")
        if not text.startswith(_PREFIX):
            return None
        tag, *f = text[len(_PREFIX) :].split(" ")
        line: Line
        if tag == "sent" and len(f) == 8:
            offset, uncertainty = _int_or_none(f[6]), _int_or_none(f[7])
            line = LoanRequest(f[2], f[3], int(f[4]), int(f[5]), f[1], f[0], offset, uncertainty)
        elif tag == "ack" and len(f) == 2:
            line = AckLine(f[0], int(f[1]))
        elif tag == "refused" and len(f) == 1:
            line = RefusedLine(f[0])
        elif tag == "settled" and len(f) == 3:
            line = SettledLine(f[0], f[1], _int_or_none(f[2]))
        else:
            return None
        return line if _encode(line) == text else None  # e.g. "+1", "01", "1_0" are refused
    except ValueError:
        return None


def _int_or_none(field: str) -> int | None:
    return None if field == "-" else int(field)


def _int(name: str, value: object, low: int = 0, high: int = _INT64_MAX) -> str:
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"journal: {name} must be an int in {low}..{high}, got {value!r:.40}")
    return str(value)


def _int_or_dash(name: str, value: object, low: int = 0) -> str:
    return "-" if value is None else _int(name, value, low)


def _match(name: str, value: object, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"journal: {name} must match {pattern.pattern}, got {value!r:.40}")
    return value


def _one_of(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"journal: {name} must be one of {choices}, got {value!r:.40}")
    return value
