"""tranIds are never reused: numbered from the wall clock (ms x 1000), above every id issued
before by this process or stored in the --db file, also after a reset or a restart."""

from __future__ import annotations

import sqlite3
import time
from decimal import Decimal

from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.ledger import TRAN_IDS_PER_MS, Ledger, wall_clock_tran_id
from papi_sandbox.testing import running_sandbox
from tests.sandbox.helpers import UNLIMITED, standard_accounts

D = Decimal


def _bob() -> AccountSpec:
    return AccountSpec("bob", "bob-key", "hmac", "secret", {"BTC": AssetSeed(D(1), D(0), D(9))})


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


def test_the_first_tran_id_is_the_wall_clock_times_1000():
    before = _wall_ms() * TRAN_IDS_PER_MS
    ledger = Ledger()
    ledger.save_account(_bob(), True)
    first = ledger.repay("bob", "BTC", D("0.1"), 1).tran_id
    assert before <= first <= _wall_ms() * TRAN_IDS_PER_MS
    assert before <= wall_clock_tran_id()


def test_a_wipe_never_goes_below_an_id_already_issued(frozen_tran_ids):
    ledger = Ledger()
    ledger.save_account(_bob(), True)
    issued = [ledger.repay("bob", "BTC", D("0.1"), 1).tran_id for _ in range(3)]
    ledger.wipe()
    ledger.save_account(_bob(), True)
    assert ledger.repay("bob", "BTC", D("0.1"), 1).tran_id == issued[-1] + 1


def test_a_db_file_reopened_goes_on_above_its_stored_ids(tmp_path, frozen_tran_ids):
    path = tmp_path / "ids.sqlite3"
    ledger = Ledger(path)
    ledger.save_account(_bob(), True)
    repay = ledger.repay("bob", "BTC", D("0.1"), 1)
    loan = ledger.borrow("bob", "BTC", D("1"), 2)
    ledger.close()
    # A file whose sequence was set back (an older sandbox's numbering): the stored ids win.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sequences SET next_value = 5 WHERE name = 'tran_id'")
    conn.close()
    reopened = Ledger(path)
    try:
        assert [repay.tran_id, loan.tran_id] == [frozen_tran_ids, frozen_tran_ids + 1]
        assert reopened.repay("bob", "BTC", D("0.1"), 3).tran_id == loan.tran_id + 1
        reopened.wipe()
        reopened.save_account(_bob(), True)
        assert reopened.borrow("bob", "BTC", D("1"), 4).tran_id == loan.tran_id + 2
    finally:
        reopened.close()


def test_a_sandbox_started_later_issues_higher_tran_ids(keys, make_client):
    config = {"accounts": standard_accounts(keys), "weight_limit": UNLIMITED}
    with running_sandbox(**config) as first:
        client = make_client(first, "hmac")
        earlier = [client.repay("BTC", "0.01").json()["tranId"] for _ in range(5)]
    time.sleep(0.002)  # a later start: the wall clock moved at least a millisecond
    with running_sandbox(**config) as second:
        client = make_client(second, "hmac")
        later = [client.repay("BTC", "0.01").json()["tranId"] for _ in range(5)]
        second.reset()
        after_reset = client.repay("BTC", "0.01").json()["tranId"]
    assert min(later) > max(earlier)
    assert after_reset > max(later)


def test_a_db_restart_keeps_increasing(tmp_path, keys, make_client):
    config = {
        "accounts": standard_accounts(keys),
        "weight_limit": UNLIMITED,
        "db_path": tmp_path / "ledger.sqlite3",
    }
    issued: list[int] = []
    for _ in range(3):
        with running_sandbox(**config) as sandbox:
            client = make_client(sandbox, "hmac")
            issued += [client.repay("BTC", "0.01").json()["tranId"] for _ in range(2)]
            assert sandbox.ledger.repays("acct-hmac")[0].tran_id == issued[-1]
    assert issued == sorted(set(issued))
