"""A local sandbox of Binance Portfolio Margin's Margin Account Repay (POST /papi/v1/repayLoan)."""

from papi_sandbox.accounts import AccountSpec, AssetSeed, load_accounts_file
from papi_sandbox.app import SandboxApp, create_app
from papi_sandbox.config import SandboxConfig
from papi_sandbox.sandbox import Sandbox

__all__ = [
    "AccountSpec",
    "AssetSeed",
    "Sandbox",
    "SandboxApp",
    "SandboxConfig",
    "create_app",
    "load_accounts_file",
]
