"""Run the real sandbox entry point (`python -m papi_sandbox`) under a watchdog.

`python -m benchmarks.sandbox_server --max-seconds S -- <papi_sandbox arguments>`: everything
after `--` goes unchanged to `papi_sandbox.serve.main`, so the benchmark measures the sandbox
with exactly the settings its own command line uses.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import loopback_guard, watchdog
from benchmarks.profiled_main import run_profiled


def main(argv: list[str]) -> None:
    loopback_guard.install()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--profile", metavar="PATH", help="write a pyinstrument text profile here")
    parser.add_argument("sandbox_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    sandbox_args = args.sandbox_args[1:] if args.sandbox_args[:1] == ["--"] else args.sandbox_args
    watchdog.start(args.max_seconds)
    from papi_sandbox.serve import main as sandbox_main

    run_profiled(lambda: sandbox_main(sandbox_args), args.profile)


if __name__ == "__main__":
    main(sys.argv[1:])
