"""`make demo`: a repay end to end, then the whole loan lifecycle, on this machine only.

Starts the sandbox on a free loopback port with the demo accounts (fake keys), seeds a loan
through the admin API, repays part of it with each key type through the generated client and
the signer, prints the tranId and the ledger before and after. Then, with the safe client:
what is owed, a borrow, interest accruing, "repay all", and the debt at zero. Stops the
sandbox.
"""

from __future__ import annotations

from decimal import Decimal

import httpx

from auth_plugin import Credentials, Debt, HmacKey, RepayClient, build_client, canonical_amount
from papi_repay_client.api.margin import query_repay_records, repay_loan
from papi_repay_client.models import RepayLoanResponse, RepayRecordPage
from papi_sandbox.demo import DEMO_ACCOUNTS_FILE, private_key_file
from papi_sandbox.testing import running_sandbox

# Fake, made for the demo: see papi_sandbox/demo_keys/README.md.
HMAC_SECRET = "demo-hmac-secret-NOT-A-REAL-KEY-do-not-use-anywhere"  # noqa: S105
ASSET = "USDT"
LOAN = {"principal": "250.00000000", "interest": "1.25000000", "free": "400.00000000"}
REPAYS = (
    ("demo-hmac", {"api_key": "demo-hmac-api-key", "api_secret": HMAC_SECRET}, "100.5"),
    (
        "demo-rsa",
        {
            "api_key": "demo-rsa-api-key",
            "private_key_path": private_key_file("rsa"),
        },
        "0.75",
    ),
    (
        "demo-ed25519",
        {
            "api_key": "demo-ed25519-api-key",
            "private_key_path": private_key_file("ed25519"),
        },
        Decimal("1E-5"),
    ),
)


def ledger_line(admin: httpx.Client, account: str) -> str:
    entry = admin.get(f"/sandbox-admin/accounts/{account}/ledger").raise_for_status().json()
    usdt = entry["assets"][ASSET]
    return (
        f"principal {usdt['principal']:>14}  interest {usdt['interest']:>11}"
        f"  free {usdt['free']:>14}"
    )


def main() -> None:
    with running_sandbox(accounts_file=DEMO_ACCOUNTS_FILE, enable_admin=True) as sandbox:
        print(f"sandbox listening on {sandbox.base_url} (loopback only, fake demo keys)\n")
        with httpx.Client(base_url=sandbox.base_url, timeout=5.0) as admin:
            for account, credentials, amount in REPAYS:
                admin.put(f"/sandbox-admin/accounts/{account}/assets/{ASSET}", json=LOAN)
                before = ledger_line(admin, account)
                wire_amount = canonical_amount(amount)
                with build_client(sandbox.base_url, **credentials) as client:
                    repaid = repay_loan.sync(client=client, asset=ASSET, amount=wire_amount)
                    if not isinstance(repaid, RepayLoanResponse):
                        raise SystemExit(f"repay refused: {repaid}")
                    page = query_repay_records.sync(
                        client=client, asset=ASSET, tx_id=repaid.tran_id
                    )
                assert isinstance(page, RepayRecordPage) and page.total == 1
                record = page.rows[0]
                print(f"{account}: repay {amount!r} {ASSET} (sent as amount={wire_amount})")
                print(f"  tranId  {repaid.tran_id}")
                print(f"  before  {before}")
                print(f"  after   {ledger_line(admin, account)}")
                print(
                    f"  record  interest {record.interest} + principal {record.principal}"
                    f" = {record.amount}, {record.status}\n"
                )
            lifecycle(sandbox.base_url, admin)
    print("sandbox stopped")


def owed(debt: Debt) -> str:
    return (
        f"principal {debt.principal:>12f}  interest {debt.interest:>11f}"
        f"  total {debt.total:>12f}  free {debt.free:>12f}"
    )


def lifecycle(base_url: str, admin: httpx.Client) -> None:
    """The questions of someone repaying a loan: how much do I owe? repay all of it. Gone?"""
    print("the loan lifecycle with the safe client (demo-hmac, BTC):")
    admin.put(
        "/sandbox-admin/accounts/demo-hmac/assets/BTC",
        json={"principal": "0.50000000", "interest": "0.00100000", "free": "1.00000000"},
    )
    credentials = Credentials("demo-hmac-api-key", HmacKey(HMAC_SECRET))
    with RepayClient(base_url, credentials) as client:
        print(f"  debt         {owed(client.debt('BTC')['BTC'])}")
        borrowed = client.borrow("BTC", "0.25")
        print(f"  borrow 0.25  tranId {borrowed.tran_id}")
        print(f"  debt         {owed(client.debt('BTC')['BTC'])}")
        admin.post(
            "/sandbox-admin/interest",
            json={"account": "demo-hmac", "asset": "BTC", "interest": "0.00002500"},
        )
        print(f"  +interest    {owed(client.debt('BTC')['BTC'])}")
        result = client.repay_all("BTC")
        assert result.repaid is not None
        print(f"  repay all    {result.repaid.amount} BTC, tranId {result.repaid.tran_id}")
        print(f"  debt         {owed(client.debt('BTC')['BTC'])}")
        print(f"  left         {result.left.normalize():f} BTC\n")


if __name__ == "__main__":
    main()
