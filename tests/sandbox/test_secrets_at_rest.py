"""The sandbox's secrets stay out of sight: the --db file (it holds HMAC secrets) is private,
and no repr of an account, a generated key or the fixture's account shows key material."""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager

import pytest

from papi_sandbox.accounts import AccountSpec
from papi_sandbox.pytest_plugin import SandboxAccount
from papi_sandbox.testing import generate_key, running_sandbox


@contextmanager
def _umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_db_file_and_its_wal_files_are_private_under_umask_022(tmp_path):
    db = tmp_path / "ledger.sqlite3"
    key = generate_key("hmac")
    with _umask(0o022), running_sandbox(accounts=(key.account("a"),), db_path=db):
        files = sorted(tmp_path.iterdir())
        assert [p.name for p in files] == [
            "ledger.sqlite3",
            "ledger.sqlite3-shm",
            "ledger.sqlite3-wal",
        ]
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert key.secret is not None
    assert key.secret.encode() in db.read_bytes()  # what the mode protects


def test_a_loose_db_file_of_ours_is_tightened(tmp_path):
    db = tmp_path / "ledger.sqlite3"
    with running_sandbox(db_path=db):
        pass
    db.chmod(0o644)
    with running_sandbox(db_path=db):
        assert _mode(db) == 0o600


def _shown(obj: object) -> str:
    return repr(obj) + str(obj) + f"{obj!r}"


@pytest.mark.parametrize("key_type", ["hmac", "rsa", "ed25519"])
def test_reprs_show_no_secret_and_no_private_key(key_type):
    key = generate_key(key_type)
    spec: AccountSpec = key.account("someone")
    account = SandboxAccount("someone", key.api_key, key_type, key.secret, key.private_key_pem)
    secrets = [key.secret] if key.secret else []
    if key.private_key_pem:
        secrets += [line for line in key.private_key_pem.splitlines() if "-----" not in line]
    assert secrets
    for obj in (key, spec, account):
        text = _shown(obj)
        assert key.api_key in text  # still useful to read
        for secret in secrets:
            assert secret not in text
