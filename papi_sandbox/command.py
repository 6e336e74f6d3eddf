"""The `papi-sandbox` command (and `python -m papi_sandbox`). Installed with the client, it says
what to install when the sandbox extra is missing (one line, exit 6) instead of a traceback."""

from __future__ import annotations

import sys

EXTRA_HINT = "pip install 'papi-repay[sandbox]'"
EXIT_NO_EXTRA = 6
# The top-level modules of the extra's requirements (starlette, uvicorn, pyyaml).
EXTRA_MODULES = frozenset({"starlette", "uvicorn", "yaml"})


def main(argv: list[str] | None = None, prog: str = "papi-sandbox") -> None:
    try:
        from papi_sandbox.serve import main as serve
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] not in EXTRA_MODULES:
            raise
        print(
            f"{prog}: error: {missing.name} is not installed: the sandbox is an extra "
            f"({EXTRA_HINT})",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(EXIT_NO_EXTRA) from None
    serve(argv, prog)
