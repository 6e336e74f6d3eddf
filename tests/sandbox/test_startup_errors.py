"""python -m papi_sandbox refuses a bad start with one clear stderr line and its own exit code."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from papi_sandbox.serve import EXIT_ACCOUNTS, EXIT_DATABASE, EXIT_LISTEN, main

ROOT = Path(__file__).resolve().parents[2]
DEMO_ACCOUNTS = ROOT / "papi_sandbox" / "demo_accounts.yaml"


def _start(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "papi_sandbox", "--host", "127.0.0.1", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        timeout=30,
        check=False,
    )


def _assert_one_clear_line(
    result: subprocess.CompletedProcess[str], code: int, *words: str
) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("papi_sandbox: error: ")
    for word in words:
        assert word in lines[0]
    assert "listening" not in result.stdout


def test_invalid_accounts_file(tmp_path):
    path = tmp_path / "accounts.yaml"
    path.write_bytes(b"accounts: [")
    _assert_one_clear_line(_start("--accounts", str(path)), EXIT_ACCOUNTS, str(path), "YAML")


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"accounts: 3\n", "accounts"),
        (b"accounts: [1]\n", "mapping"),
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"accounts:\n  - {name: a, api_key: k, key_type: hmac, secret: s, x: 1}\n", "x"),
        (b"accounts:\n  - {name: a, api_key: k, key_type: hmac, secret: s, assets: [1]}\n", "a"),
    ],
)
def test_more_invalid_accounts_files_in_process(tmp_path, capsys, content, why):
    """The same entry point as above, called in this process: a subprocess each is slow."""
    path = tmp_path / "accounts.yaml"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0", "--accounts", str(path)])
    captured = capsys.readouterr()
    result = subprocess.CompletedProcess([], exited.value.code, captured.out, captured.err)
    _assert_one_clear_line(result, EXIT_ACCOUNTS, str(path), why)


def test_missing_accounts_file(tmp_path):
    path = tmp_path / "absent.yaml"
    _assert_one_clear_line(
        _start("--accounts", str(path)), EXIT_ACCOUNTS, str(path), "No such file"
    )


def test_unreadable_accounts_file(tmp_path):
    # A directory: unreadable as a file even for root (chmod 000 is not, for root).
    _assert_one_clear_line(_start("--accounts", str(tmp_path)), EXIT_ACCOUNTS, str(tmp_path))


def test_db_in_a_missing_directory(tmp_path):
    path = tmp_path / "no" / "such" / "dir" / "l.sqlite3"
    _assert_one_clear_line(_start("--db", str(path)), EXIT_DATABASE, str(path))


def test_db_that_is_not_a_database(tmp_path):
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not an SQLite file" * 100)
    _assert_one_clear_line(_start("--db", str(path)), EXIT_DATABASE, str(path))


def test_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        result = _start("--port", port, "--accounts", str(DEMO_ACCOUNTS))
    _assert_one_clear_line(result, EXIT_LISTEN, f"127.0.0.1:{port}")


def test_exit_codes_are_distinct_and_not_argparse_2():
    assert len({EXIT_ACCOUNTS, EXIT_DATABASE, EXIT_LISTEN, 2, 1, 0}) == 6
