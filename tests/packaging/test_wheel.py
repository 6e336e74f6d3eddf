"""The wheel as users get it: `papi-repay` alone is the client, `papi-repay[sandbox]` adds the
sandbox, its `papi-sandbox` command and the `papi_sandbox` pytest fixture.

Each install goes into a fresh venv under tmp_path with exactly the packages it needs, pinned
and hashed from requirements.lock (see freshenv.py); nothing there comes from the dev venv.
Part of `make test`; the first run on a machine fetches about 20 wheels from PyPI into
.venv/wheelhouse, later runs are offline. Deselect only if you must: `-m "not packaging"`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from papi_sandbox.accounts import AssetSeed
from papi_sandbox.testing import make_account, running_sandbox
from tests.packaging.freshenv import (
    NEWEST_TESTED,
    REPO,
    FreshVenv,
    build_wheel,
    clean_env,
    closure,
    lock_entries,
    required,
    wheel_entry_points,
    wheel_metadata,
    wheelhouse,
)

pytestmark = pytest.mark.packaging

CLIENT_REQUIRES = {"httpx": "<0.30,>=0.28", "attrs": ">=23", "cryptography": ">=42"}
SANDBOX_EXTRA_REQUIRES = {"starlette": ">=0.47", "uvicorn": ">=0.30", "pyyaml": ">=6"}
SANDBOX_ONLY_MODULES = ("starlette", "uvicorn", "yaml", "dateutil")
EXAMPLE = REPO / "examples" / "test_my_bot.py"


def _by_name(requirements: list[Requirement]) -> dict[str, str]:
    return {canonicalize_name(req.name): str(req.specifier) for req in requirements}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def house() -> Path:
    return wheelhouse()


def test_the_client_requires_only_what_it_imports(wheel: Path) -> None:
    requires, extras = wheel_metadata(wheel)

    assert _by_name(required(requires)) == CLIENT_REQUIRES
    assert _by_name(required(requires, ["sandbox"])) == CLIENT_REQUIRES | SANDBOX_EXTRA_REQUIRES
    assert extras == {"sandbox"}  # the development tools are a dependency group, not an extra
    assert {req.name for req in requires} == set(CLIENT_REQUIRES) | set(SANDBOX_EXTRA_REQUIRES)


def test_the_newest_tested_releases_are_within_the_declared_ranges(wheel: Path) -> None:
    requires, _ = wheel_metadata(wheel)
    declared = {canonicalize_name(req.name): req.specifier for req in required(requires)}
    newest = lock_entries(NEWEST_TESTED)

    assert set(newest) <= set(declared)
    for name, entry in newest.items():
        version = entry.split("==", 1)[1].split()[0]
        assert version in declared[name], (name, version, declared[name])


def test_the_wheel_ships_the_commands_and_the_pytest_plugin(wheel: Path) -> None:
    entry_points = wheel_entry_points(wheel)

    assert "papi-repay = auth_plugin.cli:main" in entry_points
    assert "papi-sandbox = papi_sandbox.command:main" in entry_points
    assert "[pytest11]\npapi_sandbox = papi_sandbox.pytest_plugin" in entry_points


REPAY_SCRIPT = """
import importlib.util, json, sys
import auth_plugin
from auth_plugin import Credentials, HmacKey, RepayClient

base_url, api_key, secret, *absent = sys.argv[1:]
with RepayClient(base_url, Credentials(api_key, HmacKey(secret))) as client:
    result = client.repay("USDT", "25")
print(json.dumps({
    "tran_id": result.tran_id,
    "auth_plugin": auth_plugin.__file__,
    "present": [name for name in absent if importlib.util.find_spec(name)],
}))
"""

PLUGIN_WITHOUT_EXTRA = """
def test_pytest_still_runs_with_the_plugin_registered():
    pass

def test_the_fixture_says_what_is_missing(papi_sandbox):
    pass
"""


@pytest.fixture(scope="module")
def client_venv(
    wheel: Path, house: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FreshVenv]:
    venv, _ = _fresh_install(wheel, house, tmp_path_factory.mktemp("client"), "client", ())
    yield venv


def _fresh_install(
    wheel: Path,
    house: Path,
    where: Path,
    name: str,
    extras: tuple[str, ...],
    *more: Requirement,
    newer: Path | None = None,
) -> tuple[FreshVenv, set[str]]:
    """A fresh venv with the wheel (and `extras`) installed from the hashed pins (`newer`'s
    where it has one), nothing else but `more`; and the distributions it holds besides
    papi-repay."""
    venv = FreshVenv(where / "venv")
    requires, _ = wheel_metadata(wheel)
    names = venv.install_closure([*required(requires, extras), *more], house, name, newer)
    venv.install_wheel(wheel, f"[{','.join(extras)}]" if extras else "", house)
    assert venv.distributions() == names | {"papi-repay"}
    return venv, names


def test_the_client_alone_repays_against_the_sandbox(
    client_venv: FreshVenv, tmp_path: Path
) -> None:
    spec, key = make_account(
        "hmac", "bot", {"USDT": AssetSeed(principal=Decimal(100), free=Decimal(1000))}
    )
    assert key.secret is not None
    with running_sandbox(accounts=(spec,)) as sandbox:
        done = client_venv.run(
            client_venv.python,
            "-c",
            REPAY_SCRIPT,
            sandbox.base_url,
            key.api_key,
            key.secret,
            *SANDBOX_ONLY_MODULES,
            cwd=tmp_path,
        )
        answer = json.loads(done.stdout)
        usdt = sandbox.ledger.balances("bot")["USDT"]
        [record] = sandbox.ledger.repays("bot")

    assert Path(answer["auth_plugin"]).is_relative_to(client_venv.path)
    assert answer["present"] == []  # no starlette, uvicorn, pyyaml or dateutil
    assert answer["tran_id"] == record.tran_id
    assert (usdt.principal, usdt.free) == (Decimal(75), Decimal(975))


@pytest.mark.parametrize(
    ("command", "prog"),
    [
        (("papi-sandbox",), "papi-sandbox"),
        (("python", "-m", "papi_sandbox"), "python -m papi_sandbox"),
    ],
)
def test_papi_sandbox_without_the_extra_says_what_to_install(
    client_venv: FreshVenv, tmp_path: Path, command: tuple[str, ...], prog: str
) -> None:
    done = _may_fail(client_venv.bin(command[0]), *command[1:], "--port", "0", cwd=tmp_path)

    assert done.returncode == 6, done.stdout + done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{prog}: error: ") and "is not installed" in line
    assert line.endswith("(pip install 'papi-repay[sandbox]')")


def test_pytest_with_the_client_alone_is_not_broken_by_the_plugin(
    client_venv: FreshVenv, house: Path, tmp_path: Path
) -> None:
    client_venv.install_closure([Requirement("pytest")], house, "pytest")
    (tmp_path / "test_uses_fixture.py").write_text(PLUGIN_WITHOUT_EXTRA)

    done = _may_fail(
        client_venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rE", cwd=tmp_path
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 1 error" in done.stdout, done.stdout
    assert "pip install 'papi-repay[sandbox]'" in done.stdout, done.stdout


def _may_fail(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command of a fresh venv whose failure the test inspects."""
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=120, env=clean_env()
    )


@pytest.fixture(scope="module")
def sandbox_venv(
    wheel: Path, house: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FreshVenv]:
    where = tmp_path_factory.mktemp("sandbox")
    venv, names = _fresh_install(
        wheel, house, where, "sandbox", ("sandbox",), Requirement("pytest")
    )
    assert closure([Requirement("pytest")]) <= names
    yield venv


def test_papi_sandbox_command_serves_on_a_free_loopback_port(
    sandbox_venv: FreshVenv, tmp_path: Path
) -> None:
    secret = "a-test-secret"  # noqa: S105
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(
        "accounts:\n"
        "  - {name: bot, api_key: bot-key, key_type: hmac, secret: " + secret + ",\n"
        "     assets: {USDT: {principal: '10', free: '10'}}}\n"
    )
    command = [sandbox_venv.bin("papi-sandbox"), "--host", "127.0.0.1", "--port", "0"]
    server = subprocess.Popen(
        [*command, "--accounts", accounts, "--log-level", "warning"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().strip()
        assert first.startswith("papi_sandbox listening on http://127.0.0.1:"), first
        base_url = first.rsplit(" ", 1)[1]
        with httpx.Client(base_url=base_url, timeout=5) as http:
            assert http.get("/papi/v1/ping").json() == {}
            server_time = http.get("/api/v3/time").json()["serverTime"]
            assert abs(server_time - time.time() * 1000) < 60_000
            query = f"asset=USDT&amount=4&timestamp={int(time.time() * 1000)}"
            signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
            repay = http.post(
                f"/papi/v1/repayLoan?{query}&signature={signature}",
                headers={"X-MBX-APIKEY": "bot-key"},
            )
        assert repay.status_code == 200, repay.text
        assert isinstance(repay.json()["tranId"], int)
    finally:
        server.terminate()
        server.communicate(timeout=15)
    assert server.returncode in (0, -15)

    usage = sandbox_venv.run(sandbox_venv.python, "-m", "papi_sandbox", "--help", cwd=tmp_path)
    assert "--accounts" in usage.stdout


def test_the_demo_accounts_work_from_the_wheel_with_every_key_type(
    sandbox_venv: FreshVenv, tmp_path: Path
) -> None:
    server = subprocess.Popen(
        [sandbox_venv.bin("papi-sandbox"), "--port", "0", "--log-level", "warning"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        base_url = server.stdout.readline().split()[-1]
        said = [server.stderr.readline().strip() for _ in range(4)]
        files = {line.split()[0]: line.rsplit(" ", 1)[1] for line in said[1:]}
        accounts = Path(files["demo-hmac-api-key"])
        [secret] = [
            line.split(":", 1)[1].strip()
            for line in accounts.read_text().splitlines()
            if line.strip().startswith("secret:")
        ]
        key_env = {
            "demo-hmac-api-key": {"BINANCE_API_SECRET": secret},
            "demo-rsa-api-key": {"BINANCE_PRIVATE_KEY_PATH": files["demo-rsa-api-key"]},
            "demo-ed25519-api-key": {"BINANCE_PRIVATE_KEY_PATH": files["demo-ed25519-api-key"]},
        }
        for api_key, signing in key_env.items():
            repay = [sandbox_venv.bin("papi-repay"), "BTC", "0.001", "--base-url", base_url]
            env = {k: v for k, v in clean_env().items() if not k.startswith("BINANCE_")}
            env.update(BINANCE_API_KEY=api_key, PAPI_REPAY_JOURNAL_DIR=str(tmp_path), **signing)
            done = subprocess.run(
                repay, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, (api_key, done.stderr)
            assert done.stdout.strip().isdigit()
    finally:
        server.terminate()
        server.communicate(timeout=15)

    assert accounts.is_relative_to(sandbox_venv.path)
    assert Path(files["demo-rsa-api-key"]).is_relative_to(sandbox_venv.path)


def test_the_example_bot_tests_pass_with_the_installed_plugin(
    sandbox_venv: FreshVenv, tmp_path: Path
) -> None:
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)

    done = subprocess.run(
        [sandbox_venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", EXAMPLE.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout, done.stdout


def test_the_example_bot_tests_pass_with_the_newest_tested_httpx(
    wheel: Path, house: Path, tmp_path: Path
) -> None:
    venv, _ = _fresh_install(
        wheel, house, tmp_path, "newest", ("sandbox",), Requirement("pytest"), newer=NEWEST_TESTED
    )
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    newest = lock_entries(NEWEST_TESTED)["httpx"].split("==", 1)[1].split()[0]

    version = venv.run(venv.python, "-c", "import httpx; print(httpx.__version__)", cwd=tmp_path)
    done = _may_fail(
        venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", EXAMPLE.name, cwd=tmp_path
    )

    assert version.stdout.strip() == newest
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout, done.stdout
