"""repay_all against the sandbox, for random loans, borrows and interest that accrues between
the read and the repay: it leaves zero debt or exactly the interest that accrued (and says
so), never executes more than one repay per call (counted at the server), refuses without
sending when the free balance is short (or, capped, repays exactly what it covers), and the
free balance is conserved: free after = free before + borrowed - repaid."""

from __future__ import annotations

import os
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth_plugin import FreeBalanceShort, RepayClient
from tests.safety.helpers import ACCOUNT, REPAY, Sleeper, credentials_for, repay_posts

EXAMPLES = int(os.environ.get("REPAY_ALL_EXAMPLES", "40"))
ASSET = "BTC"
EIGHT = Decimal("0.00000001")

amounts = st.integers(0, 10**11).map(lambda n: Decimal(n) * EIGHT)  # 0 .. 1000, 8 places
small = st.integers(0, 10**6).map(lambda n: Decimal(n) * EIGHT)  # 0 .. 0.01


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    principal=amounts,
    interest=small,
    free=amounts,
    borrows=st.lists(amounts.filter(lambda a: a > 0), max_size=2),
    accrued=small,
    cap=st.booleans(),
)
def test_repay_all_leaves_only_what_accrued_and_repays_once(
    shared_sandbox, key, principal, interest, free, borrows, accrued, cap
):
    sandbox = shared_sandbox
    sandbox.reset()
    sandbox.ledger.set_balance(ACCOUNT, ASSET, principal=principal, interest=interest, free=free)

    def accrue_when_the_repay_leaves(request):
        if request.url.path == REPAY and accrued:
            sandbox.ledger.add_interest(ACCOUNT, ASSET, accrued)

    hooks = {"event_hooks": {"request": [accrue_when_the_repay_leaves]}}
    with RepayClient(
        sandbox.base_url, credentials_for(key), sleep=Sleeper(), httpx_args=hooks
    ) as client:
        for amount in borrows:
            client.borrow(ASSET, amount)
        owed = principal + interest + sum(borrows, Decimal(0))
        free_before = free + sum(borrows, Decimal(0))
        posts = repay_posts(sandbox)
        try:
            result = client.repay_all(ASSET, cap=cap)
        except FreeBalanceShort:
            assert free_before < owed and (not cap or free_before == 0)
            assert repay_posts(sandbox) == posts  # nothing sent
            return

    assert repay_posts(sandbox) - posts == (0 if result.repaid is None else 1)
    assert len(sandbox.ledger.repays(ACCOUNT)) == (0 if result.repaid is None else 1)
    assert result.before.total == owed and result.before.free == free_before
    repaid = min(owed, free_before)
    assert result.repaid_amount == repaid
    assert result.capped == (repaid < owed)
    expected_left = owed - repaid + (accrued if result.repaid is not None else 0)
    assert result.left == expected_left
    after = sandbox.ledger.balances(ACCOUNT)[ASSET]
    assert after.principal + after.interest == expected_left  # what it said is what is left
    assert after.free == free_before - repaid  # conserved: nothing else moved
    if result.left == 0:
        assert result.reason == ""
    elif not result.capped:
        assert (
            result.reason
            == f"interest of {accrued.normalize():f} accrued between the read and the repay"
        )
