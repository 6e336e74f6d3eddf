"""One small module per client under test, all with the same shape.

Each module has `LABEL` (how the table names it), `NOTE` (what exactly is called) and
`build(base_url, api_key, secret)`, which imports the library and returns an object with
`repay()` (one signed repay, raising if the answer is not HTTP 200) and `close()`. Modules import
their library inside `build`, so that the start-up benchmark can time import + construction by
timing `build` in a fresh process.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Table order: ours first, then the public clients, then the floors.
CLIENT_MODULES: dict[str, str] = {
    "ours": "benchmarks.clients.ours_generated",
    "ours-repay": "benchmarks.clients.ours_repay",
    "official-sdk": "benchmarks.clients.official_sdk",
    "python-binance": "benchmarks.clients.python_binance",
    "ccxt": "benchmarks.clients.ccxt_binance",
    "httpx-floor": "benchmarks.clients.httpx_floor",
    "http.client-floor": "benchmarks.clients.http_client_floor",
}
PUBLIC_CLIENTS = ("official-sdk", "python-binance", "ccxt")
FLOOR = "httpx-floor"
OURS = "ours"


def load(name: str) -> ModuleType:
    return importlib.import_module(CLIENT_MODULES[name])


def available(name: str) -> str | None:
    """None if the client can be benchmarked here, else why not."""
    try:
        module = load(name)
    except ImportError as error:
        return f"cannot import its benchmark module: {error}"
    why_not = getattr(module, "unavailable", None)
    return why_not() if why_not is not None else None
