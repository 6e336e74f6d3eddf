"""python -m papi_sandbox with the committed demo accounts and demo keys; the file format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from papi_sandbox.accounts import load_accounts_file
from papi_sandbox.serve import build_parser
from papi_sandbox.testing import GeneratedKey, generate_key, running_sandbox
from tests.sandbox.helpers import KEY_TYPES, SignedClient

ROOT = Path(__file__).resolve().parents[2]
DEMO_ACCOUNTS = ROOT / "papi_sandbox" / "demo_accounts.yaml"
DEMO_KEYS = ROOT / "papi_sandbox" / "demo_keys"
DEMO_SECRET_PREFIX = "demo-hmac-secret-NOT-A-REAL-KEY"


def _demo_key(key_type: str) -> GeneratedKey:
    api_key = f"demo-{key_type}-api-key"
    if key_type == "hmac":
        (spec,) = [s for s in load_accounts_file(DEMO_ACCOUNTS) if s.key_type == "hmac"]
        return GeneratedKey(api_key, "hmac", secret=spec.key)
    pem = (DEMO_KEYS / f"demo-{key_type}-private-FAKE.pem").read_text()
    return GeneratedKey(api_key, key_type, private_key_pem=pem)  # type: ignore[arg-type]


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "papi_sandbox", "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _base_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()  # the first line announces the address
    assert line.startswith("papi_sandbox listening on http://127.0.0.1:"), line
    return line.split()[-1]


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@pytest.fixture
def cli_server(tmp_path):
    """The CLI on a free port (--port 0), admin on, ledger in a temp SQLite file."""
    process = _start(
        "--accounts",
        str(DEMO_ACCOUNTS),
        "--db",
        str(tmp_path / "cli.sqlite3"),
        "--admin",
        "--log-level",
        "warning",
    )
    try:
        yield _base_url(process)
    finally:
        _stop(process)


def test_cli_serves_the_demo_accounts_with_the_demo_keys(cli_server):
    with httpx.Client(base_url=cli_server, trust_env=False, timeout=10) as http:
        assert http.get("/papi/v1/ping").json() == {}
        for key_type in KEY_TYPES:
            response = SignedClient(http, _demo_key(key_type)).repay("BTC", "0.001", where="body")
            assert response.status_code == 200, response.text
        ledger = http.get(f"/sandbox-admin/accounts/demo-{KEY_TYPES[0]}/ledger").json()
        assert ledger["assets"]["BTC"]["interest"] == "0.00023456"


def test_without_accounts_it_serves_the_demo_accounts_and_says_where_their_keys_are():
    process = _start("--log-level", "warning")
    try:
        base_url = _base_url(process)
        assert process.stderr is not None
        said = [process.stderr.readline() for _ in range(4)]
        with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as http:
            for key_type in KEY_TYPES:
                signed = SignedClient(http, _demo_key(key_type))
                response = signed.repay("BTC", "0.001", where="body")
                assert response.status_code == 200, response.text
    finally:
        _stop(process)

    assert said[0].startswith("papi_sandbox: no --accounts given: serving the demo accounts")
    assert "FAKE" in said[0]
    for key_type, line in zip(KEY_TYPES, said[1:], strict=True):
        assert f"demo-{key_type}-api-key" in line
        if key_type != "hmac":
            assert line.split(": ", 1)[1].strip() == str(
                DEMO_KEYS / f"demo-{key_type}-private-FAKE.pem"
            )
    assert "NOT-A-REAL-KEY" not in "".join(said)  # where the secret is, not the secret


@pytest.mark.parametrize(
    ("command", "prog"),
    [
        ([str(Path(sys.executable).with_name("papi-sandbox"))], "papi-sandbox"),
        ([sys.executable, "-m", "papi_sandbox"], "python -m papi_sandbox"),
    ],
)
def test_help_names_the_command_it_was_run_as(command, prog):
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=30)

    assert done.returncode == 0
    assert done.stdout.startswith(f"usage: {prog} ")
    assert "(default: 8000; 0 picks a free one)" in done.stdout


def test_every_option_has_help_and_shows_its_default():
    parser = build_parser()
    for action in parser._actions:
        if action.dest == "help":
            continue
        assert action.help, action.option_strings
        if action.default not in (None, False):
            assert "(default: %(default)" in action.help, action.option_strings
        else:
            assert "default:" in action.help, action.option_strings


def test_demo_files_are_clearly_fake():
    specs = load_accounts_file(DEMO_ACCOUNTS)
    assert {s.key_type for s in specs} == set(KEY_TYPES)
    assert all(s.api_key.startswith("demo-") for s in specs)
    (hmac_spec,) = [s for s in specs if s.key_type == "hmac"]
    assert hmac_spec.key.startswith(DEMO_SECRET_PREFIX)
    assert "fake" in (DEMO_KEYS / "README.md").read_text().lower()


def test_json_accounts_file_with_public_key_file(tmp_path, make_client):
    key = generate_key("ed25519")
    (tmp_path / "pub.pem").write_text(key.public_key_pem or "")
    accounts = tmp_path / "accounts.json"
    accounts.write_text(
        json.dumps(
            {
                "accounts": [
                    {
                        "name": "j",
                        "api_key": key.api_key,
                        "key_type": "ed25519",
                        "public_key_file": "pub.pem",
                        "assets": {"BTC": {"principal": "1", "interest": "0", "free": "1"}},
                    }
                ]
            }
        )
    )
    with running_sandbox(accounts_file=accounts) as handle:
        client = make_client(handle, "hmac")
        client.key = key
        assert client.repay("BTC", "0.5").status_code == 200


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"name": "a", "api_key": "k", "key_type": "dsa", "secret": "s"}, "key_type"),
        ({"name": "a", "api_key": "k", "key_type": "hmac", "secret": ""}, "secret"),
        ({"name": "a", "api_key": "k", "key_type": "hmac", "secret": "s", "x": 1}, "understood"),
        (
            {
                "name": "a",
                "api_key": "k",
                "key_type": "hmac",
                "secret": "s",
                "assets": {"BTC": {"free": "0.000000001"}},
            },
            "decimal places",
        ),
        (
            {
                "name": "a",
                "api_key": "k",
                "key_type": "hmac",
                "secret": "s",
                "assets": {"BTC": {"free": "-1"}},
            },
            "non-negative",
        ),
        ({"name": "a", "api_key": "k", "key_type": "rsa", "secret": "s"}, "public key"),
    ],
)
def test_bad_accounts_files_are_refused_at_load(tmp_path, entry, problem):
    path = tmp_path / "accounts.yaml"
    path.write_text(json.dumps({"accounts": [entry]}))
    with pytest.raises(ValueError, match=problem):
        load_accounts_file(path)


def test_duplicate_api_keys_are_refused(tmp_path):
    entry = {"api_key": "same", "key_type": "hmac", "secret": "s"}
    path = tmp_path / "accounts.yaml"
    path.write_text(json.dumps({"accounts": [{"name": "a", **entry}, {"name": "b", **entry}]}))
    with pytest.raises(ValueError, match="unique"):
        load_accounts_file(path)
