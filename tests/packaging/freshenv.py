"""Build the wheel and install it into fresh venvs from the hashed lock, offline when warm.

The packages a fresh venv gets are exactly the dependency closure of what it installs (the
wheel's Requires-Dist for the chosen extras, plus e.g. pytest), walked through the metadata of
the dev venv (installed from requirements.lock, so the graph is the lock's), each pinned with
its hashes from requirements.lock and installed with `pip install --require-hashes --no-deps`.
The wheels come from a wheelhouse (PAPI_WHEELHOUSE, else .venv/wheelhouse): filled from PyPI
with `pip download` the first time (hash-checked), then reused with `--no-index`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Sequence
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements.lock"
NEWEST_TESTED = Path(__file__).with_name("newest-tested.txt")
PIP_TIMEOUT = 300  # a cold wheelhouse downloads a few MB from PyPI
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==\S+")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a fresh venv's processes: nothing pointing back at the dev venv or
    the repo, no coverage hooks, pytest plugins autoloaded as a user's would be."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
        and not name.startswith(("COV_CORE_", "COVERAGE_", "PYTEST_"))
    }
    env.update(PYTHONDONTWRITEBYTECODE="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def run(
    args: Sequence[str | os.PathLike[str]], **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run to completion, capture text; fail with the output on a non-zero exit."""
    kwargs.setdefault("timeout", PIP_TIMEOUT)
    done = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    return done


def build_wheel(dest: Path) -> Path:
    run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", dest], cwd=REPO)
    [wheel] = dest.glob("papi_repay-*.whl")
    return wheel


def wheel_metadata(wheel: Path) -> tuple[list[Requirement], set[str]]:
    """The wheel's Requires-Dist and Provides-Extra."""
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    requires = [Requirement(value) for value in headers.get_all("Requires-Dist") or []]
    return requires, set(headers.get_all("Provides-Extra") or [])


def wheel_entry_points(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        return archive.read(name).decode("utf-8")


def required(requires: Iterable[Requirement], extras: Iterable[str] = ()) -> list[Requirement]:
    """The requirements that apply when installing with `extras` (markers evaluated here)."""
    wanted = ["", *extras]
    return [
        req
        for req in requires
        if req.marker is None or any(req.marker.evaluate({"extra": extra}) for extra in wanted)
    ]


def closure(roots: Iterable[Requirement]) -> set[str]:
    """Canonical names of `roots` and everything they need, per the dev venv's metadata."""
    found: set[str] = set()
    visited: set[tuple[str, str]] = set()
    queue = list(roots)
    while queue:
        req = queue.pop()
        name = canonicalize_name(req.name)
        found.add(name)
        for extra in ("", *sorted(req.extras)):
            if (name, extra) in visited:
                continue
            visited.add((name, extra))
            for text in metadata.requires(name) or []:
                dep = Requirement(text)
                if dep.marker is None or dep.marker.evaluate({"extra": extra}):
                    queue.append(dep)
    return found


def lock_entries(lock: Path = LOCK) -> dict[str, str]:
    """requirements.lock's entries by canonical name: the pin line and its --hash lines."""
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lock.read_text().splitlines():
        pin = _PIN.match(line)
        if pin:
            current = entries.setdefault(canonicalize_name(pin.group(1)), [])
            current.append(line)
        elif current is not None and line.lstrip().startswith("--hash="):
            current.append(line)
        else:
            current = None
    return {name: "\n".join(lines).rstrip(" \\") for name, lines in entries.items()}


def pinned_subset(names: Iterable[str], dest: Path, newer: Path | None = None) -> Path:
    """A hashed requirements file with exactly `names`, as pinned in requirements.lock, or in
    `newer` (same format) for the names it pins."""
    entries = lock_entries() | (lock_entries(newer) if newer else {})
    missing = sorted(set(names) - set(entries))
    if missing:
        raise AssertionError(f"not pinned in {LOCK.name}: {missing}")
    dest.write_text("".join(entries[name] + "\n" for name in sorted(names)))
    return dest


def wheelhouse() -> Path:
    configured = os.environ.get("PAPI_WHEELHOUSE")
    folder = Path(configured) if configured else REPO / ".venv" / "wheelhouse"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pip(python: Path, *args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """The dev venv's pip acting on another interpreter's environment (no pip needed there)."""
    return run([sys.executable, "-m", "pip", "--python", python, *args], env=clean_env())


def install_pinned(python: Path, requirements: Path, house: Path) -> None:
    """Install a hashed requirements file offline from the wheelhouse; fill it first if a wheel
    is missing (`pip download` checks the same hashes)."""
    offline = ["--no-index", "--find-links", house]
    strict = ["--require-hashes", "--no-deps", "--only-binary", ":all:", "-r", requirements]
    try:
        pip(python, "install", "--quiet", *offline, *strict)
    except AssertionError:
        run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--dest", house, *strict],
            env=clean_env(),
        )
        pip(python, "install", "--quiet", *offline, *strict)


class FreshVenv:
    """A new venv (no pip in it) that holds exactly what it was given."""

    def __init__(self, path: Path) -> None:
        self.path = path
        run([sys.executable, "-m", "venv", "--without-pip", path])
        self.python = path / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name

    def install_closure(
        self, roots: Iterable[Requirement], house: Path, name: str, newer: Path | None = None
    ) -> set[str]:
        names = closure(roots)
        pins = pinned_subset(names, self.path / f"{name}.txt", newer)
        install_pinned(self.python, pins, house)
        return names

    def install_wheel(self, wheel: Path, extras: str, house: Path) -> None:
        """The wheel, its dependencies resolved offline: all must already be installed."""
        pip(
            self.python,
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            house,
            f"{wheel}{extras}",
        )
        pip(self.python, "check")

    def distributions(self) -> set[str]:
        listed = pip(self.python, "list", "--format=json").stdout
        return {canonicalize_name(item["name"]) for item in json.loads(listed)}

    def run(
        self, *args: str | os.PathLike[str], cwd: Path, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return run([*args], cwd=cwd, env=clean_env(), timeout=timeout)
