"""A local sandbox of Binance Portfolio Margin's Margin Account Repay (POST /papi/v1/repayLoan).

The names below load on first use: importing the package itself (as pytest does for the
`papi_sandbox.pytest_plugin` entry point, installed with the client) needs none of the
sandbox extra's dependencies (starlette, uvicorn, pyyaml).
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papi_sandbox.accounts import AccountSpec, AssetSeed, load_accounts_file
    from papi_sandbox.app import SandboxApp, create_app
    from papi_sandbox.config import SandboxConfig
    from papi_sandbox.sandbox import Sandbox

_LAZY = {
    "AccountSpec": "papi_sandbox.accounts",
    "AssetSeed": "papi_sandbox.accounts",
    "load_accounts_file": "papi_sandbox.accounts",
    "SandboxApp": "papi_sandbox.app",
    "create_app": "papi_sandbox.app",
    "SandboxConfig": "papi_sandbox.config",
    "Sandbox": "papi_sandbox.sandbox",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, each once."""
    return list(__all__)


__all__ = [
    "AccountSpec",
    "AssetSeed",
    "Sandbox",
    "SandboxApp",
    "SandboxConfig",
    "create_app",
    "load_accounts_file",
]
