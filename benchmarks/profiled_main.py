"""Run a server's main function under pyinstrument and write the call tree when it stops."""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def run_profiled(main: Callable[[], None], profile_path: str | None) -> None:
    if not profile_path:
        main()
        return
    from pyinstrument import Profiler

    # uvicorn re-raises the SIGTERM it caught once it has shut down; turn that into SystemExit
    # so the profile below still gets written.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    # uvicorn runs its event loop in this (main) thread, which is the one sampled.
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    try:
        main()
    except SystemExit:
        pass
    finally:
        profiler.stop()
        with open(profile_path, "w") as out:
            out.write(profiler.output_text(unicode=False, color=False, show_all=True))
