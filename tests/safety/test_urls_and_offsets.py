"""Where requests may go and what clock they may be signed with: a base or time URL with user
info, a query or a fragment is refused, the time URL is checked like the base URL, and a clock
offset of more than an hour is refused with a fix-your-clock message. Nothing is sent."""

from __future__ import annotations

import pytest

from auth_plugin import Clock, ClockSyncError, InvalidInput, RepayClient, build_client
from auth_plugin.signer.clock import MAX_OFFSET_MS
from tests.safety.helpers import ACCOUNT, TIME, credentials_for

PASSWORD = "hunter2-password"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://papi.binance.com@evil.example/", ["user info", "'evil.example'"]),
        (f"https://user:{PASSWORD}@papi.binance.com", ["user info"]),
        ("https://@papi.binance.com", ["user info"]),
        ("https://papi.binance.com/?x=1", ["query"]),
        ("https://papi.binance.com/?", ["query"]),
        ("https://papi.binance.com/#frag", ["fragment"]),
        ("https://papi.binance.com#", ["fragment"]),
    ],
)
def test_a_base_url_with_user_info_a_query_or_a_fragment_is_refused(url, words, key):
    for build in (
        lambda: build_client(url, api_key=key.api_key, api_secret=key.secret, env={}),
        lambda: RepayClient(url, credentials_for(key)),
    ):
        with pytest.raises(InvalidInput) as caught:
            build()
        message = str(caught.value)
        assert message.startswith("base_url ")
        for word in words:
            assert word in message
        assert PASSWORD not in message


@pytest.mark.parametrize(
    ("time_url", "word"),
    [
        ("http://time.example/api/v3/time", "plain http"),
        ("http://10.0.0.1/api/v3/time", "plain http"),
        ("https://api.binance.com@evil.example/api/v3/time", "user info"),
        ("https://api.binance.com/api/v3/time?x", "query"),
        ("ftp://127.0.0.1/time", "absolute"),
    ],
)
def test_the_time_url_is_checked_like_the_base_url(sandbox, key, time_url, word):
    with pytest.raises(InvalidInput, match=word) as caught:
        RepayClient(sandbox.base_url, credentials_for(key), time_url=time_url)
    assert str(caught.value).startswith("time_url ")
    assert sandbox.counters.get("GET", TIME) == 0


def test_a_server_clock_more_than_an_hour_away_is_refused_and_nothing_is_sent(sandbox, make_client):
    sandbox.clock.shift(MAX_OFFSET_MS + 60_000)
    client = make_client()
    with pytest.raises(ClockSyncError) as caught:
        client.sync_clock()
    assert "fix it" in str(caught.value)
    assert "h behind" in str(caught.value)
    assert client.clock.offset_ms == 0
    # A repay that meets -1021 re-syncs the clock first: refused there, never resent.
    with pytest.raises(ClockSyncError, match="fix it") as refused:
        client.repay("BTC", "0.01")
    assert refused.value.executed is False
    assert sandbox.ledger.repays(ACCOUNT) == []


def test_an_offset_of_minutes_is_still_measured(sandbox, make_client):
    sandbox.clock.shift(-20 * 60_000)
    client = make_client()
    client.sync_clock()
    assert abs(client.clock.offset_ms + 20 * 60_000) < 1_000


@pytest.mark.parametrize("offset", [MAX_OFFSET_MS + 1, -MAX_OFFSET_MS - 1, 8_200_000_000_000])
def test_an_offset_of_more_than_an_hour_cannot_be_set(offset):
    with pytest.raises(InvalidInput, match="system clock"):
        Clock(offset)
    clock = Clock()
    with pytest.raises(InvalidInput, match="system clock"):
        clock.offset_ms = offset
    assert clock.offset_ms == 0
    assert Clock(MAX_OFFSET_MS).offset_ms == MAX_OFFSET_MS
