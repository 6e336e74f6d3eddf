"""Where the sandbox's time per signed repay goes: pyinstrument inside the sandbox process.

The sandbox runs as in section 4 (`python -m papi_sandbox` settings, seeded account, limiter out
of reach) but with pyinstrument sampling its main thread, where uvicorn's event loop runs; the
load generator sends freshly signed repays; the bare endpoint is profiled the same way. The call
trees go to `benchmarks/.bench/profile-sandbox.txt` and `profile-bare.txt`; the report lists the
sampled time per request of the main frames of both. Sampling slows the servers, so compare the
frames with each other, not with the unprofiled throughput.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.child_process import ServerProcess, shown_path
from benchmarks.sandbox_capacity import LISTENING, _load, sandbox_args, write_accounts_file

# Frames worth naming in the report, as pyinstrument prints them, with what they stand for.
FRAMES = {
    "Server.run": "everything in the server's main thread",
    "ProxyHeadersMiddleware.__call__": "the ASGI app as uvicorn calls it (below its HTTP parsing)",
    "SandboxApp.__call__": "the sandbox's Starlette app",
    "Starlette.__call__": "the bare endpoint's Starlette app",
    "Gateway.__call__": "sandbox gateway middleware and all below it",
    "RateLimiter.admit": "rate limiter",
    "repay_loan": "repay endpoint (all of it)",
    "authenticate": "signed-request checks (key, params, timestamp, signature)",
    "merge_parts": "query/body parameter parsing",
    "_form_body": "reading the body",
    "signed_payload": "building totalParams for the check",
    "HmacVerifier.verify": "HMAC verification",
    "Ledger.repay": "ledger repay (SQLite)",
    "json_response": "JSON answer",
    "_AfterFaults.__call__": "send path through the gateway's after-faults wrapper",
}
_LINE = re.compile(r"^[\s|`-]*(\d+\.\d+)\s+(\S+)\s")


def frame_times(profile_text: str) -> dict[str, float]:
    """Seconds of the first (outermost) occurrence of each frame in a pyinstrument text tree."""
    found: dict[str, float] = {}
    for line in profile_text.splitlines():
        match = _LINE.match(line)
        if match and match.group(2) in FRAMES and match.group(2) not in found:
            found[match.group(2)] = float(match.group(1))
    return found


def _profiled_load(
    module: str, server_args: list[str], profile_path: Path, requests: int, signed: bool
) -> dict[str, object]:
    profile_path.unlink(missing_ok=True)
    server = ServerProcess(
        module,
        "--max-seconds",
        "600",
        "--profile",
        str(profile_path),
        *server_args,
        port_line=LISTENING,
    )
    with server:
        return _load(
            server.base_url, signed=signed, concurrency=16, requests=requests, max_seconds=120
        )


def run(scratch: Path, *, requests: int, log: Callable[[str], None] = print) -> list[str]:
    scratch.mkdir(parents=True, exist_ok=True)
    sandbox_profile = scratch / "profile-sandbox.txt"
    bare_profile = scratch / "profile-bare.txt"
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as directory:
        accounts = write_accounts_file(Path(directory))
        log("  loading the profiled sandbox")
        server_args = ["--", *sandbox_args(accounts, 10**15)]
        sandbox = _profiled_load(
            "benchmarks.sandbox_server", server_args, sandbox_profile, requests, signed=True
        )
    log("  loading the profiled bare endpoint")
    bare = _profiled_load(
        "benchmarks.bare_server", ["--log-level", "warning"], bare_profile, requests, signed=True
    )
    lines = ["## Where the sandbox's time goes (profile run)", ""]
    if not sandbox_profile.exists() or not bare_profile.exists():
        return lines + ["A profiled server wrote no profile."]
    times = frame_times(sandbox_profile.read_text())
    bare_times = frame_times(bare_profile.read_text())
    done = int(sandbox["completed"])  # type: ignore[call-overload]
    bare_done = int(bare["completed"])  # type: ignore[call-overload]
    lines += [
        f"pyinstrument in the server process (main thread, where uvicorn's loop runs) while the "
        f"load generator sent {done} signed repays to the sandbox (statuses "
        f"{sandbox['statuses']}) and {bare_done} requests to the bare endpoint (statuses "
        f"{bare['statuses']}), 16 connections. Sampling slows both servers (profiled: "
        f"{sandbox['per_second']:.0f} and {bare['per_second']:.0f} req/s), so "
        "compare the rows with each other, not with section 4. µs/request = the frame's "
        f"sampled time / requests. Trees: `{shown_path(sandbox_profile)}`, "
        f"`{shown_path(bare_profile)}`.",
        "",
        "| frame | what | sandbox µs/request | bare endpoint µs/request |",
        "| --- | --- | ---: | ---: |",
    ]
    for name, what in FRAMES.items():
        if name in times or name in bare_times:
            ours = f"{times[name] / done * 1e6:.0f}" if name in times else ""
            ceiling = f"{bare_times[name] / bare_done * 1e6:.0f}" if name in bare_times else ""
            lines.append(f"| `{name}` | {what} | {ours} | {ceiling} |")
    return lines
