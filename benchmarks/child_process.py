"""Start a benchmark helper (a server or a load generator) in its own Python process.

Servers announce their port with a ``PORT <n>`` line on stdout; this module waits for that line
with a deadline, and stops the child by its own pid (never by name).
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shown_path(path: Path) -> str:
    """A path as reports show it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def child_env() -> dict[str, str]:
    """The environment for a child: project importable, no proxies, unbuffered output."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    paths = [str(PROJECT_ROOT), str(PROJECT_ROOT / "generated")]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


class ServerProcess:
    """A child process running ``python -m <module> <args>`` that announces its port on stdout.

    `port_line` is a regular expression whose first group is the port (default ``PORT <n>``).
    """

    def __init__(
        self,
        module: str,
        *args: str,
        start_timeout: float = 30.0,
        port_line: str = r"PORT (\d+)",
    ) -> None:
        self._command = [sys.executable, "-m", module, *args]
        self._port_line = re.compile(port_line.encode())
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._drainer: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> ServerProcess:
        self._process = subprocess.Popen(
            self._command,
            cwd=PROJECT_ROOT,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=None,
            bufsize=0,
        )
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        seen = b""
        deadline = time.monotonic() + self._start_timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                seen += chunk
                for line in seen.split(b"\n")[:-1]:
                    found = self._port_line.search(line)
                    if found:
                        self.port = int(found.group(1))
                        # Keep reading so a chatty child can never block on a full pipe.
                        self._drainer = threading.Thread(target=_drain, args=(fd,), daemon=True)
                        self._drainer.start()
                        return self
        self.stop()
        raise RuntimeError(f"{' '.join(self._command)} did not announce a port in time")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._drainer is not None:
            self._drainer.join(timeout=5)
            self._drainer = None
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
