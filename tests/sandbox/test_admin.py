"""The /sandbox-admin/ control API: off by default, JSON in and out."""

from __future__ import annotations

from decimal import Decimal

import httpx

from papi_sandbox.testing import generate_key, running_sandbox
from tests.sandbox.helpers import SignedClient, standard_accounts


def test_admin_api_is_off_by_default(keys):
    with running_sandbox(accounts=standard_accounts(keys)) as handle:
        response = httpx.get(handle.base_url + "/sandbox-admin/accounts", trust_env=False)
        assert response.status_code == 404


def test_list_accounts(sandbox, http, keys):
    accounts = http.get("/sandbox-admin/accounts").json()["accounts"]
    assert {(a["name"], a["key_type"]) for a in accounts} == {
        ("acct-hmac", "hmac"),
        ("acct-rsa", "rsa"),
        ("acct-ed25519", "ed25519"),
    }
    assert {a["api_key"] for a in accounts} == {k.api_key for k in keys.values()}


def test_create_account_then_repay_with_it(sandbox, http):
    key = generate_key("rsa")
    created = http.post(
        "/sandbox-admin/accounts",
        json={
            "name": "new",
            "api_key": key.api_key,
            "key_type": "rsa",
            "public_key": key.public_key_pem,
            "assets": {"SOL": {"principal": "3", "interest": "0.5", "free": "10"}},
        },
    )
    assert created.json() == {"name": "new", "api_key": key.api_key, "key_type": "rsa"}
    assert SignedClient(http, key).repay("SOL", "1").status_code == 200
    ledger = http.get("/sandbox-admin/accounts/new/ledger").json()
    assert ledger == {
        "account": "new",
        "assets": {
            "SOL": {"principal": "2.50000000", "interest": "0.00000000", "free": "9.00000000"}
        },
    }


def test_replacing_an_account_swaps_its_key_and_assets(sandbox, http, keys):
    fresh = generate_key("hmac")
    http.post(
        "/sandbox-admin/accounts",
        json={
            "name": "acct-hmac",
            "api_key": fresh.api_key,
            "key_type": "hmac",
            "secret": fresh.secret,
            "assets": {"BTC": {"principal": "2"}},
        },
    )
    assert SignedClient(http, keys["hmac"]).repay().json()["code"] == -2015
    assert SignedClient(http, fresh).repay("ETH", "1").json()["code"] == -3027
    assert sandbox.ledger.balances("acct-hmac")["BTC"].principal == 2


def test_set_loan_and_free_balance(sandbox, http, client):
    response = http.put(
        "/sandbox-admin/accounts/acct-hmac/assets/DOGE",
        json={"principal": "100", "interest": "1.5"},
    )
    assert response.json() == {
        "account": "acct-hmac",
        "asset": "DOGE",
        "principal": "100.00000000",
        "interest": "1.50000000",
        "free": "0.00000000",
    }
    assert client.repay("DOGE", "1").json()["code"] == -3041
    http.put("/sandbox-admin/accounts/acct-hmac/assets/DOGE", json={"free": "50"})
    assert client.repay("DOGE", "1").status_code == 200


def test_list_repays(sandbox, http, client):
    tran_id = client.repay("BTC", "0.15").json()["tranId"]
    (row,) = http.get("/sandbox-admin/accounts/acct-hmac/repays").json()["repays"]
    assert row["tranId"] == row["txId"] == tran_id
    assert (row["amount"], row["interest"], row["principal"]) == (
        "0.15000000",
        "0.10000000",
        "0.05000000",
    )


def test_clock_control(sandbox, http):
    assert http.post("/sandbox-admin/clock", json={"pin_ms": 1_000_000}).json() == {
        "now_ms": 1_000_000,
        "offset_ms": 0,
        "pinned_ms": 1_000_000,
    }
    shifted = http.post("/sandbox-admin/clock", json={"shift_ms": 500}).json()
    assert shifted["now_ms"] == 1_000_500
    assert http.get("/api/v3/time").json() == {"serverTime": 1_000_500}
    unpinned = http.post("/sandbox-admin/clock", json={"pin_ms": None}).json()
    assert unpinned["pinned_ms"] is None
    assert unpinned["offset_ms"] == 500


def test_admin_errors(sandbox, http, keys):
    assert http.get("/sandbox-admin/accounts/nobody/ledger").status_code == 404
    assert http.get("/sandbox-admin/accounts/nobody/repays").status_code == 404
    bad_amount = http.put("/sandbox-admin/accounts/acct-hmac/assets/BTC", json={"free": "1e-9"})
    assert bad_amount.status_code == 400
    bad_asset = http.put("/sandbox-admin/accounts/acct-hmac/assets/btc", json={"free": "1"})
    assert bad_asset.status_code == 400
    not_json = http.post(
        "/sandbox-admin/accounts", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    bad_key = http.post(
        "/sandbox-admin/accounts",
        json={"name": "x", "api_key": "k", "key_type": "rsa", "public_key": "nope"},
    )
    assert bad_key.status_code == 400
    empty_key = http.post(
        "/sandbox-admin/accounts",
        json={"name": "x", "api_key": "", "key_type": "hmac", "secret": "s"},
    )
    assert empty_key.status_code == 400
    taken = http.post(
        "/sandbox-admin/accounts",
        json={"name": "x", "api_key": keys["rsa"].api_key, "key_type": "hmac", "secret": "s"},
    )
    assert taken.status_code == 400
    assert "already belongs" in taken.json()["error"]


def test_reset_restores_the_start_state(sandbox, http, client):
    tran_id = client.repay("BTC", "0.5").json()["tranId"]
    sandbox.clock.pin(1)
    sandbox.faults.inject("unavailable", times=None)
    http.post(
        "/sandbox-admin/accounts",
        json={"name": "x", "api_key": "x", "key_type": "hmac", "secret": "s"},
    )
    assert http.post("/sandbox-admin/reset", json={}).json() == {"reset": True}
    assert sandbox.ledger.repays("acct-hmac") == []
    assert sandbox.ledger.balances("acct-hmac")["BTC"].liability == Decimal("1.1")
    assert sandbox.faults.active() == []
    assert sandbox.clock.snapshot()["pinned_ms"] is None
    assert sandbox.counters.snapshot() == {}
    assert [a.name for a in sandbox.accounts()] == ["acct-ed25519", "acct-hmac", "acct-rsa"]
    assert client.repay().json()["tranId"] > tran_id  # tranIds go on, never reissued
