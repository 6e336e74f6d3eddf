"""One settings surface: `ClientConfig` holds every setting of the safe clients and of
`build_client`; each takes them as keyword arguments, and refuses what it would ignore."""

from __future__ import annotations

import dataclasses
import inspect

import httpx
import pytest

from auth_plugin import (
    AsyncRepayClient,
    ClientConfig,
    InvalidInput,
    RepayClient,
    build_client,
)
from auth_plugin.safe.config import SAFE_CLIENT_ONLY

SECRET = "s3cr3t-" + "x" * 57
PASSPHRASE = "pass-phrase-that-must-not-show"


def test_every_setting_is_a_config_field_and_nothing_restates_them():
    names = {f.name for f in dataclasses.fields(ClientConfig)}
    assert names >= SAFE_CLIENT_ONLY
    for takes_settings in (RepayClient.__init__, AsyncRepayClient.__init__, build_client):
        parameters = inspect.signature(takes_settings).parameters
        own = [p for p in parameters if p not in ("self", "base_url", "credentials", "settings")]
        assert own == []  # every other setting arrives as **settings, into ClientConfig


@pytest.mark.parametrize("name", sorted(SAFE_CLIENT_ONLY))
def test_build_client_refuses_what_only_the_safe_clients_use(name):
    with pytest.raises(InvalidInput, match=name):
        build_client("http://127.0.0.1:9", api_key="k" * 64, api_secret=SECRET, **{name: None})


def test_the_safe_client_takes_the_key_settings_too():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"tranId": 7})

    client = RepayClient(
        "http://127.0.0.1:9",
        api_key="k" * 64,
        api_secret=SECRET,
        env={},
        httpx_args={"transport": httpx.MockTransport(answer)},
    )
    with client:
        assert client.repay("BTC", "0.01").tran_id == 7
    assert seen[0].headers["X-MBX-APIKEY"] == "k" * 64


def test_the_config_repr_hides_the_secret_settings():
    config = ClientConfig(
        api_key="k" * 64,
        api_secret=SECRET,
        private_key_passphrase=PASSPHRASE,
        env={"BINANCE_API_SECRET": SECRET},
    )
    text = repr(config)
    assert SECRET not in text and PASSPHRASE not in text
    assert "api_secret=<hidden>" in text and "private_key_passphrase=<hidden>" in text
