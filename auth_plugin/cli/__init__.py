"""The `papi-repay` command: `help` (exit codes, environment) and `parser` are cheap to
import, so `--help` loads neither httpx nor the generated client; `command` runs the repay on
the safe layer; `journal` is what its runs remember of their repays."""

import os
import sys

from auth_plugin.cli.help import EXIT_CODES, EXIT_CODES_HELP, ExitCode
from auth_plugin.cli.parser import DEBT, build_parser

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any


def main(
    argv: "Sequence[str] | None" = None, *, sleep: "Callable[[float], Any] | None" = None
) -> int:
    """Entry point of the `papi-repay` console script; returns the exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    command = DEBT if words[:1] == [DEBT] else None
    parser = build_parser(command)
    try:
        args = parser.parse_args(words[1:] if command else words)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        if parser.usage_error is not None and "--json" in words:
            from auth_plugin.cli.report import Report
            from auth_plugin.signer.errors import InvalidInput

            report = Report()
            report.error(InvalidInput(parser.usage_error))
            report.write(ExitCode.BAD_INPUT, sys.stdout)
        return exc.code if isinstance(exc.code, int) else ExitCode.BAD_INPUT
    from auth_plugin.cli.command import run

    return int(run(args, os.environ, sys.stdout, sys.stderr, sleep))


def __getattr__(name: str) -> object:
    if name == "exit_code_for":
        from auth_plugin.cli.command import exit_code_for

        return exit_code_for
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["EXIT_CODES", "EXIT_CODES_HELP", "ExitCode", "exit_code_for", "main"]
