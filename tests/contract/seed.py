"""The account the contract run signs with: loans large enough that valid repays succeed."""

from __future__ import annotations

from decimal import Decimal

from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.testing import GeneratedKey, generate_key

# The spec's examples use USDT; the others give schemathesis more than one asset to land on.
SEEDED_ASSETS = ("USDT", "BTC", "BNB", "ETH", "1INCH")
# Most generated amounts fit in these loans; the spec admits up to 20 integer digits, and those
# larger than a loan get -3015 (a state rejection the contract check accepts). Loans stay within
# the sandbox's 28-digit stored amounts (8 decimal places).
HUGE = Decimal(10**15)


def contract_account() -> tuple[AccountSpec, GeneratedKey]:
    key = generate_key("hmac")
    seeds = {
        asset: AssetSeed(principal=HUGE, interest=Decimal(1), free=HUGE * 2)
        for asset in SEEDED_ASSETS
    }
    return key.account("contract", seeds), key
