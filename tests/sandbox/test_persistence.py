"""--db: the ledger, repay records, tranId sequence and accounts survive a restart."""

from __future__ import annotations

from decimal import Decimal

import httpx

from papi_sandbox.accounts import AssetSeed
from papi_sandbox.ledger_records import Balance
from papi_sandbox.testing import make_account, running_sandbox
from tests.sandbox.helpers import UNLIMITED, standard_accounts


def test_restart_keeps_ledger_records_and_tran_ids(tmp_path, keys, make_client):
    db = tmp_path / "ledger.sqlite3"
    config = {"accounts": standard_accounts(keys), "weight_limit": UNLIMITED, "db_path": db}
    with running_sandbox(**config) as first:
        client = make_client(first, "hmac")
        ids = [
            client.repay("BTC", "0.15").json()["tranId"],
            client.repay("BTC", "0.05").json()["tranId"],
        ]
        balances = first.ledger.balances("acct-hmac")
        records = first.ledger.repays("acct-hmac")
    assert ids[1] == ids[0] + 1

    with running_sandbox(**config) as second:
        # The seeds in the accounts list do not overwrite what the ledger learned.
        assert second.ledger.balances("acct-hmac") == balances
        assert second.ledger.balances("acct-hmac")["BTC"] == Balance(
            Decimal("0.9"), Decimal("0"), Decimal("9.8")
        )
        assert second.ledger.repays("acct-hmac") == records
        client = make_client(second, "hmac")
        assert client.repay("BTC", "0.01").json()["tranId"] > ids[1]
        listed = client.records(asset="BTC", txId=ids[0]).json()
        assert listed["rows"][0]["amount"] == "0.15000000"


def test_new_seed_assets_are_added_on_restart(tmp_path, keys):
    db = tmp_path / "ledger.sqlite3"
    spec = keys["hmac"].account("acct", {"BTC": AssetSeed(Decimal("1"), Decimal(0), Decimal(1))})
    with running_sandbox(accounts=(spec,), db_path=db) as first:
        first.ledger.set_balance("acct", "BTC", principal=Decimal("0.5"))
    grown = keys["hmac"].account(
        "acct",
        {
            "BTC": AssetSeed(Decimal("1"), Decimal(0), Decimal(1)),
            "ETH": AssetSeed(Decimal("2"), Decimal(0), Decimal(2)),
        },
    )
    with running_sandbox(accounts=(grown,), db_path=db) as second:
        balances = second.ledger.balances("acct")
        assert balances["BTC"].principal == Decimal("0.5")
        assert balances["ETH"].principal == Decimal("2")


def test_accounts_created_through_admin_survive_a_restart(tmp_path):
    db = tmp_path / "ledger.sqlite3"
    spec, key = make_account("ed25519", name="late", assets={"BNB": AssetSeed(Decimal(1))})
    with running_sandbox(db_path=db, enable_admin=True) as first:
        created = httpx.post(
            first.base_url + "/sandbox-admin/accounts",
            json={
                "name": "late",
                "api_key": key.api_key,
                "key_type": "ed25519",
                "public_key": key.public_key_pem,
                "assets": {"BNB": {"principal": "1"}},
            },
            trust_env=False,
        )
        assert created.status_code == 200, created.text
    with running_sandbox(db_path=db) as second:
        (account,) = second.accounts()
        assert (account.name, account.api_key, account.key_type) == ("late", key.api_key, "ed25519")
        assert second.ledger.balances("late")["BNB"].principal == Decimal(1)
