"""Make a benchmark child process end by itself: after a deadline, or once its parent is gone."""

from __future__ import annotations

import os
import sys
import threading
import time


def start(max_seconds: float, *, poll_seconds: float = 0.5) -> None:
    parent = os.getppid()
    deadline = time.monotonic() + max_seconds

    def watch() -> None:
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(poll_seconds)
        print(f"{sys.argv[0]}: watchdog ends this process", file=sys.stderr, flush=True)
        os._exit(0)

    threading.Thread(target=watch, name="benchmark-watchdog", daemon=True).start()
