"""Start a benchmark server in its own Python process, wait for the port it announces, stop it
by its own pid (never by name)."""

from __future__ import annotations

import contextlib
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
# `PORT <n>` (benchmarks.servers) or `listening on http://HOST:<n>` (the sandbox).
_PORT_LINE = re.compile(rb"(?:^PORT |listening on http://[^\s:]+:)(\d+)")


def child_env() -> dict[str, str]:
    """The environment for a child: project importable, no proxies, unbuffered output."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    paths = [str(PROJECT_ROOT), str(PROJECT_ROOT / "generated"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def run_python(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`python ARGS` in the project with `child_env()`; its output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class ServerProcess:
    """`python -m benchmarks.servers KIND ARGS` in a child process, as a context manager."""

    def __init__(self, kind: str, *args: str, max_seconds: float) -> None:
        self._command = [sys.executable, "-m", "benchmarks.servers", kind]
        self._command += ["--max-seconds", str(max_seconds), *args]
        self._process: subprocess.Popen[bytes] | None = None
        self._drainer: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        process = self._process = subprocess.Popen(
            self._command,
            cwd=PROJECT_ROOT,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        assert process.stdout is not None
        fd, seen, deadline = process.stdout.fileno(), b"", time.monotonic() + 30
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while time.monotonic() < deadline and not self.port:
                if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    chunk = os.read(fd, 4096)
                    if not chunk:
                        break
                    seen += chunk
                    found = [_PORT_LINE.search(line) for line in seen.split(b"\n")[:-1]]
                    self.port = next((int(m.group(1)) for m in found if m), 0)
        if not self.port:
            self.__exit__(None, None, None)
            raise RuntimeError(f"{' '.join(self._command)} did not announce a port in time")

        def drain() -> None:  # a chatty child must never block on a full pipe
            with contextlib.suppress(OSError):
                while os.read(fd, 65536):
                    pass

        self._drainer = threading.Thread(target=drain, daemon=True)
        self._drainer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
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
        if process.stdout is not None:
            process.stdout.close()
