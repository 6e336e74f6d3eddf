"""The admin API acts only on what a browser page cannot send: JSON bodies, a loopback Host and
Origin, and the token when one is configured. Anything else is a 403 that changes nothing."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from papi_sandbox.admin_guard import is_loopback
from papi_sandbox.config import SandboxConfig
from papi_sandbox.serve import _config, parse_args
from papi_sandbox.testing import generate_key, running_sandbox
from tests.sandbox.helpers import UNLIMITED, standard_accounts

TOKEN = "admin-token-" + "t" * 20
FOREIGN = {"Host": "evil.example", "Origin": "http://evil.example"}
NEW_ACCOUNT = '{"name": "intruder", "api_key": "intruder-key", "key_type": "hmac", "secret": "s"}'


def _state(sandbox) -> tuple[object, ...]:
    return (
        [a.name for a in sandbox.accounts()],
        sandbox.ledger.repays("acct-hmac"),
        sandbox.clock.snapshot()["offset_ms"],
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain", **FOREIGN},  # the cross-site form post that worked
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {},
        {"Content-Type": "application/json", "Host": "evil.example"},  # DNS rebinding
        {"Content-Type": "application/json", "Host": "127.0.0.1.evil.example:80"},
        {"Content-Type": "application/json", "Origin": "http://evil.example"},
        {"Content-Type": "application/json", "Origin": "null"},
        {"Content-Type": "application/json", "Host": "[::1"},  # not even a host name
    ],
)
def test_requests_a_browser_page_could_send_are_refused_and_change_nothing(
    sandbox, http, client, headers
):
    client.repay("BTC", "0.01")
    before = _state(sandbox)
    for path, body in (
        ("/sandbox-admin/reset", ""),
        ("/sandbox-admin/accounts", NEW_ACCOUNT),
        ("/sandbox-admin/clock", '{"shift_ms": 5000}'),
    ):
        response = http.post(path, content=body.encode(), headers=headers)
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
    assert _state(sandbox) == before


def test_a_rebinding_page_cannot_read_the_api_keys(sandbox, http, keys):
    response = http.get("/sandbox-admin/accounts", headers={"Host": "evil.example:8000"})
    assert response.status_code == 403
    for key in keys.values():
        assert key.api_key not in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "localhost:8000"},
        {"Host": "127.0.0.7"},
        {"Host": "[::1]:8000"},
        {"Origin": "http://localhost:3000"},
        {"Content-Type": "application/json; charset=utf-8"},
        {"Content-Type": "Application/JSON"},
    ],
)
def test_json_to_a_loopback_host_is_served(sandbox, http, headers):
    response = http.post(
        "/sandbox-admin/clock",
        content=b'{"shift_ms": 1}',
        headers={"Content-Type": "application/json", **headers},
    )
    assert response.status_code == 200, response.text
    assert response.json()["offset_ms"] == 1


def test_loopback_names():
    assert [is_loopback(h) for h in ("localhost", "LOCALHOST.", "127.1.2.3", "::1")] == [True] * 4
    assert not any(is_loopback(h) for h in (None, "", "0.0.0.0", "::", "10.0.0.1", "evil.example"))


def _admin(handle, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=handle.base_url, trust_env=False, timeout=10) as http:
        return http.post("/sandbox-admin/clock", json={"shift_ms": 1}, headers=headers)


def test_with_a_token_every_admin_request_must_carry_it(keys):
    config = SandboxConfig(enable_admin=True, admin_token=TOKEN)
    with running_sandbox(config, accounts=standard_accounts(keys)) as handle:
        assert _admin(handle).status_code == 403
        assert _admin(handle, Authorization=f"Bearer {TOKEN}x").status_code == 403
        assert _admin(handle, Authorization=f"Basic {TOKEN}").status_code == 403
        assert _admin(handle, Authorization=f"Bearer {TOKEN}").status_code == 200
        assert handle.clock.snapshot()["offset_ms"] == 1


def test_beyond_loopback_any_host_is_served_but_only_with_the_token():
    config = SandboxConfig(enable_admin=True, admin_token=TOKEN, admin_beyond_loopback=True)
    with running_sandbox(config, weight_limit=UNLIMITED) as handle:
        lan = {"Host": "192.168.1.20:8000"}
        assert _admin(handle, **lan).status_code == 403
        assert _admin(handle, **lan, Authorization=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.parametrize(
    ("settings", "word"),
    [
        ({"admin_beyond_loopback": True}, "token"),
        ({"admin_token": "short"}, "16"),
        ({"admin_token": TOKEN + " x"}, "spaces"),
    ],
)
def test_config_refuses_an_open_admin_api_without_a_good_token(settings, word):
    with pytest.raises(ValueError, match=word):
        SandboxConfig(enable_admin=True, **settings)


def test_the_token_is_not_in_the_config_repr():
    assert TOKEN not in repr(SandboxConfig(enable_admin=True, admin_token=TOKEN))


def _usage_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        parse_args(list(argv))
    assert exited.value.code == 2
    return capsys.readouterr().err


def test_admin_beyond_loopback_needs_the_flag_and_a_token(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("PAPI_SANDBOX_ADMIN_TOKEN", raising=False)
    error = _usage_error(capsys, "--admin", "--host", "0.0.0.0")
    assert "--admin-beyond-loopback" in error
    assert "not loopback" in error
    error = _usage_error(capsys, "--admin", "--host", "0.0.0.0", "--admin-beyond-loopback")
    assert "token" in error
    missing = tmp_path / "absent"
    error = _usage_error(capsys, "--admin", "--admin-token-file", str(missing))
    assert str(missing) in error
    # Loopback needs neither; a non-loopback host without --admin needs neither.
    assert parse_args(["--admin", "--host", "localhost"]).admin
    assert not parse_args(["--host", "0.0.0.0"]).admin


@pytest.mark.parametrize("source", ["file", "environment"])
def test_the_token_comes_from_a_file_or_the_environment_and_is_never_printed(
    capsys, monkeypatch, tmp_path, source
):
    monkeypatch.delenv("PAPI_SANDBOX_ADMIN_TOKEN", raising=False)
    argv = ["--admin", "--host", "0.0.0.0", "--admin-beyond-loopback"]
    if source == "file":
        path = tmp_path / "token"
        path.write_text(TOKEN + "\n")
        argv += ["--admin-token-file", str(path)]
    else:
        monkeypatch.setenv("PAPI_SANDBOX_ADMIN_TOKEN", TOKEN)
    config = _config(parse_args(argv))
    assert (config.admin_token, config.admin_beyond_loopback) == (TOKEN, True)
    out = capsys.readouterr()
    assert TOKEN not in out.out + out.err
    short = "shortTOKENvalue"  # 15 characters: refused, and not shown
    monkeypatch.setenv("PAPI_SANDBOX_ADMIN_TOKEN", short)
    error = _usage_error(capsys, "--admin")
    assert "16" in error
    assert short not in error


# --- key files over HTTP ----------------------------------------------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", ["missing", "text", "fifo", "zero"])
def test_public_key_file_is_refused_over_http_without_touching_the_file(
    sandbox, http, tmp_path, kind
):
    path = {"zero": "/dev/zero"}.get(kind, str(tmp_path / "key.pem"))
    if kind == "text":
        (tmp_path / "key.pem").write_text("caf\u00e9 secret text\n")
    elif kind == "fifo":
        os.mkfifo(path)
    started = time.monotonic()
    response = http.post(
        "/sandbox-admin/accounts",
        json={"name": "x", "api_key": "x-key", "key_type": "rsa", "public_key_file": path},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert response.json() == {
        "error": "public_key_file is not accepted here: send the PEM as public_key"
    }
    assert "x" not in {a.name for a in sandbox.accounts()}


def test_an_inline_public_key_is_still_accepted(sandbox, http):
    key = generate_key("ed25519")
    response = http.post(
        "/sandbox-admin/accounts",
        json={
            "name": "x",
            "api_key": key.api_key,
            "key_type": "ed25519",
            "public_key": key.public_key_pem,
        },
    )
    assert response.status_code == 200, response.text
