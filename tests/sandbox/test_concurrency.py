"""Hundreds of simultaneous repays: no lost or doubled update, interest first, unique tranIds."""

from __future__ import annotations

import asyncio
import logging
import threading
from decimal import Decimal
from urllib.parse import quote, urlencode

import httpx
import pytest

from papi_sandbox.accounts import AssetSeed
from papi_sandbox.ledger import Ledger
from papi_sandbox.ledger_rules import InsufficientBalance
from papi_sandbox.testing import GeneratedKey, generate_key, running_sandbox
from tests.sandbox.helpers import REPAY, UNLIMITED, now_ms, sign_with

D = Decimal
REQUESTS = 250
AMOUNT = D("0.05")
# Owed 11 = 10 principal + 1 interest: exactly 220 repays of 0.05 fit, 30 must get -3015.
SEED = AssetSeed(principal=D("10"), interest=D("1"), free=D("100"))


def _signed_requests(key: GeneratedKey, count: int) -> list[str]:
    urls = []
    for _ in range(count):
        query = urlencode(
            [
                ("asset", "BTC"),
                ("amount", str(AMOUNT)),
                ("recvWindow", "60000"),
                ("timestamp", str(now_ms())),
            ]
        )
        urls.append(f"{REPAY}?{query}&signature={quote(sign_with(key, query.encode()), safe='')}")
    return urls


async def _fire(base_url: str, api_key: str, urls: list[str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(
        base_url=base_url, trust_env=False, timeout=30, limits=limits
    ) as http:
        return await asyncio.gather(
            *(http.post(url, headers={"X-MBX-APIKEY": api_key}) for url in urls)
        )


@pytest.mark.parametrize("use_db", [False, True], ids=["memory", "sqlite-file"])
def test_concurrent_repays_keep_the_ledger_exact(tmp_path, keys, use_db, caplog):
    # Should a connection ever close unanswered, the report shows which deadline closed it.
    caplog.set_level(logging.DEBUG, logger="papi_sandbox")
    key = keys["hmac"]
    db = tmp_path / "ledger.sqlite3" if use_db else None
    with running_sandbox(
        accounts=(key.account("busy", {"BTC": SEED}),), weight_limit=UNLIMITED, db_path=db
    ) as sandbox:
        urls = _signed_requests(key, REQUESTS)
        responses = asyncio.run(_fire(sandbox.base_url, key.api_key, urls))

        ok = [r for r in responses if r.status_code == 200]
        refused = [r for r in responses if r.status_code != 200]
        assert len(ok) == 220
        assert {r.json()["code"] for r in refused} == {-3015}

        tran_ids = [r.json()["tranId"] for r in ok]
        assert len(set(tran_ids)) == len(tran_ids)
        records = sandbox.ledger.repays("busy")
        assert sorted(r.tran_id for r in records) == sorted(tran_ids)

        after = sandbox.ledger.balances("busy")["BTC"]
        repaid = sum((r.amount for r in records), D(0))
        assert repaid == SEED.principal + SEED.interest - after.liability == D("11")
        assert after.principal == after.interest == D(0)
        assert after.free == SEED.free - repaid
        assert sum((r.interest for r in records), D(0)) == SEED.interest
        assert sum((r.principal for r in records), D(0)) == SEED.principal
        # Interest first: in tranId order, all interest is paid before any principal.
        in_order = sorted(records, key=lambda r: r.tran_id)
        first_principal = next(i for i, r in enumerate(in_order) if r.principal > 0)
        assert all(r.principal == 0 for r in in_order[:first_principal])
        assert all(r.interest == 0 for r in in_order[first_principal + 1 :])
        assert all(r.interest + r.principal == r.amount for r in records)


def test_concurrent_repays_of_several_accounts(keys):
    with running_sandbox(
        accounts=tuple(keys[t].account(t, {"BTC": SEED}) for t in ("hmac", "rsa", "ed25519")),
        weight_limit=UNLIMITED,
    ) as sandbox:

        async def everyone() -> list[httpx.Response]:
            batches = [
                _fire(sandbox.base_url, keys[t].api_key, _signed_requests(keys[t], 80))
                for t in ("hmac", "rsa", "ed25519")
            ]
            results = await asyncio.gather(*batches)
            return [r for batch in results for r in batch]

        responses = asyncio.run(everyone())
        assert all(r.status_code == 200 for r in responses)
        tran_ids = [r.json()["tranId"] for r in responses]
        assert len(set(tran_ids)) == 240
        for t in ("hmac", "rsa", "ed25519"):
            assert sandbox.ledger.balances(t)["BTC"].liability == D("11") - 80 * AMOUNT


@pytest.mark.parametrize("use_db", [False, True], ids=["memory", "sqlite-file"])
def test_ledger_is_thread_safe_without_http(tmp_path, use_db):
    ledger = Ledger(tmp_path / "ledger.sqlite3" if use_db else None)
    ledger.save_account(generate_key("hmac").account("t", {"BTC": SEED}), replace_balances=True)
    shortfalls: list[int] = []
    ids: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            try:
                record = ledger.repay("t", "BTC", D("0.01"), 0)
            except InsufficientBalance:  # pragma: no cover - not expected with this seed
                shortfalls.append(1)
            else:
                with lock:
                    ids.append(record.tran_id)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not shortfalls
    assert len(ids) == len(set(ids)) == 400
    assert ledger.balances("t")["BTC"].liability == D("11") - 400 * D("0.01")
    ledger.close()
