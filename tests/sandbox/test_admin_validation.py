"""Every admin input is checked before anything changes: bad ones answer 400 with a reason,
and no admin answer can carry non-JSON NaN/Infinity."""

from __future__ import annotations

import json
import math

import pytest

from papi_sandbox import admin
from papi_sandbox.faults import FaultBoard

FAULTS = "/sandbox-admin/faults"
CLOCK = "/sandbox-admin/clock"
ASSET = "/sandbox-admin/accounts/acct-hmac/assets/BTC"


def _post_raw(http, path: str, text: str, method: str = "POST"):
    """JSON text as written, so NaN/Infinity (which Python's json emits) reach the server."""
    return http.request(
        method, path, content=text.encode(), headers={"content-type": "application/json"}
    )


def _refused(response, *words: str) -> None:
    assert response.status_code == 400, response.text
    reason = response.json()["error"]
    for word in words:
        assert word in reason, reason


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ('{"kind": "latency_after", "seconds": NaN}', "seconds"),
        ('{"kind": "latency_after", "seconds": Infinity}', "seconds"),
        ('{"kind": "latency_before", "seconds": -Infinity}', "seconds"),
        ('{"kind": "latency_after", "seconds": 601}', "seconds"),
        ('{"kind": "latency_after", "seconds": -1}', "seconds"),
        ('{"kind": "latency_after", "seconds": "1"}', "seconds"),
        ('{"kind": "latency_after", "seconds": true}', "seconds"),
        ('{"kind": "unavailable", "times": 1.5}', "times"),
        ('{"kind": "unavailable", "times": 0}', "times"),
        ('{"kind": "unavailable", "times": true}', "times"),
        ('{"kind": "unavailable", "times": "2"}', "times"),
        ('{"kind": "unavailable", "code": 1.5}', "code"),
        ('{"kind": "unavailable", "code": false}', "code"),
        ('{"kind": "unavailable", "code": 1e300}', "code"),
        ('{"kind": "unavailable", "msg": 5}', "msg"),
        ('{"kind": "unavailable", "path": 5}', "path"),
        ('{"kind": "unavailable", "path": "no-slash"}', "path"),
        ('{"kind": 5}', "kind"),
        ('{"kind": "meteor"}', "kind"),
        ('{"kind": "unavailable", "sekonds": 1}', "sekonds"),
        ('{"kind": "unknown_after", "status": 399}', "status"),
        ('{"kind": "unknown_after", "status": 600}', "status"),
        ('{"kind": "unknown_before", "status": "408"}', "status"),
        ('{"kind": "unknown_before", "status": true}', "status"),
        ('{"kind": "unknown_before", "status": 408.0}', "status"),
        ('{"kind": "drop_after", "status": 408}', "status"),
        ('{"kind": "stamp_shift", "ms": 60001}', "ms"),
        ('{"kind": "stamp_shift", "ms": -60001}', "ms"),
        ('{"kind": "stamp_shift", "ms": 1.5}', "ms"),
        ('{"kind": "record_lag", "ms": -1}', "ms"),
        ('{"kind": "record_lag", "ms": 600001}', "ms"),
        ('{"kind": "record_lag", "ms": true}', "ms"),
        ('{"kind": "queue", "ms": -1}', "ms"),
        ('{"kind": "queue_deadline", "ms": "5"}', "ms"),
        ('{"kind": "queue", "ms": null}', "ms"),
        ('{"kind": "unavailable", "ms": 5}', "ms"),
        ("[1]", "object"),
    ],
)
def test_bad_faults_are_refused_and_nothing_is_armed(sandbox, http, client, body, word):
    _refused(_post_raw(http, FAULTS, body), word)
    assert sandbox.faults.active() == []
    assert client.repay().status_code == 200


def test_a_nan_fault_no_longer_executes_a_repay_then_answers_500(sandbox, http, client):
    _refused(_post_raw(http, FAULTS, '{"kind": "latency_after", "seconds": NaN}'))
    response = client.repay()
    assert response.status_code == 200
    assert len(sandbox.ledger.repays("acct-hmac")) == 1


def test_good_faults_still_arm(sandbox, http):
    response = http.post(
        FAULTS, json={"kind": "latency_before", "seconds": 0, "times": None, "path": None}
    )
    assert response.status_code == 200
    (fault,) = response.json()["faults"]
    assert fault["seconds"] == 0.0
    assert fault["times"] is None
    assert (fault["status"], fault["ms"]) == (None, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "unknown_after", "status": 408, "code": -1007, "msg": "Timeout."},
        {"kind": "unknown_before", "status": 400, "code": -1006},
        {"kind": "unavailable", "status": 599},
        {"kind": "overloaded", "status": 400},
        {"kind": "stamp_shift", "ms": -60000},
        {"kind": "stamp_shift", "ms": 60000},
        {"kind": "record_lag", "ms": 600000},
        {"kind": "queue", "ms": 0},
        {"kind": "queue_deadline", "ms": 600000},
        {"kind": "drop_after", "ms": 0, "status": None},
    ],
)
def test_the_new_fault_fields_arm_and_show(sandbox, http, body):
    response = http.post(FAULTS, json=body)
    assert response.status_code == 200, response.text
    (fault,) = http.get(FAULTS).json()["faults"]
    assert fault == {
        "id": fault["id"],
        "kind": body["kind"],
        "path": "/papi/v1/repayLoan",
        "times": 1,
        "seconds": 0.0,
        "code": body.get("code"),
        "msg": body.get("msg"),
        "status": body.get("status"),
        "ms": body.get("ms", 0),
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("principal", '"12345678901234567890123"'),
        ("principal", "12345678901234567890123"),
        ("principal", "1e30"),
        ("principal", "NaN"),
        ("interest", '"NaN"'),
        ("interest", '"Infinity"'),
        ("free", "Infinity"),
        ("free", '"-0"'),
        ("free", '"1_000"'),
        ("free", '" 1"'),
        ("free", '"1e3"'),
        ("free", "true"),
        ("free", "null"),
        ("free", '"0.000000001"'),
    ],
)
def test_bad_amounts_are_refused(sandbox, http, field, value):
    before = sandbox.ledger.balances("acct-hmac")["BTC"]
    _refused(_post_raw(http, ASSET, f'{{"{field}": {value}}}', method="PUT"), field)
    assert sandbox.ledger.balances("acct-hmac")["BTC"] == before


def test_the_largest_storable_amount_is_accepted(sandbox, http):
    biggest = "99999999999999999999.99999999"
    response = http.put(ASSET, json={"principal": biggest})
    assert response.status_code == 200, response.text
    assert response.json()["principal"] == biggest


def test_a_23_digit_seed_in_a_new_account_is_refused(sandbox, http):
    response = http.post(
        "/sandbox-admin/accounts",
        json={
            "name": "big",
            "api_key": "big-key",
            "key_type": "hmac",
            "secret": "s",
            "assets": {"BTC": {"principal": "12345678901234567890123"}},
        },
    )
    _refused(response, "principal")


@pytest.mark.parametrize(
    "entry",
    [
        {"name": 5, "api_key": "k5", "key_type": "hmac", "secret": "s"},
        {"name": "n", "api_key": 5, "key_type": "hmac", "secret": "s"},
        {"name": "n", "api_key": "k", "key_type": "hmac", "secret": 5},
        {"name": "n", "api_key": "k", "key_type": "hmac", "secret": "s", "assets": []},
        {"name": "n", "api_key": "k", "key_type": "hmac", "secret": "s", "assets": {"BTC": 1}},
        {"name": "n", "api_key": "k", "key_type": ["hmac"], "secret": "s"},
    ],
)
def test_bad_account_fields_are_refused(sandbox, http, entry):
    _refused(http.post("/sandbox-admin/accounts", json=entry))
    assert "n" not in {a.name for a in sandbox.accounts()}


@pytest.mark.parametrize(
    "body",
    [
        '{"offset_ms": Infinity}',
        '{"offset_ms": NaN}',
        '{"shift_ms": 1.5}',
        '{"shift_ms": "5"}',
        '{"pin_ms": true}',
        '{"pin_ms": -1}',
        '{"pin_ms": 1e300}',
        '{"pin_ms": 100000000000000000000}',
        '{"offset_ms": 100000000000000000000}',
        '{"pinned": 5}',
    ],
)
def test_bad_clock_settings_are_refused_and_change_nothing(sandbox, http, body):
    before = sandbox.clock.snapshot()
    _refused(_post_raw(http, CLOCK, body))
    after = sandbox.clock.snapshot()
    assert (after["offset_ms"], after["pinned_ms"]) == (before["offset_ms"], before["pinned_ms"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/sandbox-admin/reset"),
        ("POST", "/sandbox-admin/rate-limits/reset"),
        ("DELETE", "/sandbox-admin/requests"),
        ("DELETE", FAULTS),
    ],
)
def test_bodyless_endpoints_refuse_fields(sandbox, http, method, path):
    _refused(_post_raw(http, path, '{"everything": true}', method=method), "everything")
    assert _post_raw(http, path, "{}", method=method).status_code == 200
    # No body at all: a POST still says it is JSON (see admin_guard), a DELETE need not.
    headers = {"content-type": "application/json"} if method == "POST" else {}
    assert http.request(method, path, headers=headers).status_code == 200


def test_the_admin_encoder_refuses_nan():
    with pytest.raises(admin.AdminError):
        admin.admin_json({"x": math.nan})
    assert json.loads(admin.admin_json({"x": 1.5}).body) == {"x": 1.5}


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"seconds": math.nan}, "seconds"),
        ({"seconds": math.inf}, "seconds"),
        ({"seconds": 601}, "seconds"),
        ({"seconds": True}, "seconds"),
        ({"times": 1.5}, "times"),
        ({"times": True}, "times"),
        ({"times": 0}, "times"),
        ({"code": True}, "code"),
        ({"code": 2**40}, "code"),
        ({"msg": 5}, "msg"),
        ({"path": 5}, "path"),
    ],
)
def test_fault_board_inject_validates_too(kwargs, word):
    board = FaultBoard()
    with pytest.raises(ValueError, match=word):
        board.inject("latency_after", **kwargs)
    assert board.active() == []


@pytest.mark.parametrize(
    ("kind", "kwargs", "word"),
    [
        ("unknown_after", {"status": 200}, "status"),
        ("unknown_after", {"status": True}, "status"),
        ("unknown_before", {"status": "503"}, "status"),
        ("latency_after", {"status": 503}, "status"),
        ("pending_record", {"status": 408}, "status"),
        ("stamp_shift", {"ms": 60_001}, "ms"),
        ("stamp_shift", {"ms": False}, "ms"),
        ("stamp_shift", {"ms": 1.0}, "ms"),
        ("record_lag", {"ms": -1}, "ms"),
        ("record_lag", {"ms": 600_001}, "ms"),
        ("queue", {"ms": -5}, "ms"),
        ("queue_deadline", {"ms": None}, "ms"),
        ("latency_before", {"ms": 100}, "ms"),
        ("unknown_after", {"ms": 1}, "ms"),
    ],
)
def test_fault_board_checks_status_and_ms_per_kind(kind, kwargs, word):
    board = FaultBoard()
    with pytest.raises(ValueError, match=word):
        board.inject(kind, **kwargs)
    assert board.active() == []
