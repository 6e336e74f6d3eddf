"""The `papi-repay` command (`command`), on top of the safe layer; `journal` is what its runs
remember of their repays. `--help` imports neither httpx nor the generated client."""

from auth_plugin.cli.command import EXIT_CODES, EXIT_CODES_HELP, ExitCode, exit_code_for, main

__all__ = ["EXIT_CODES", "EXIT_CODES_HELP", "ExitCode", "exit_code_for", "main"]
