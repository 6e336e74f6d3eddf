"""The shipped demo keys are fake: a client refuses them for any base URL off this machine."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from auth_plugin import (
    Credentials,
    HmacKey,
    KeyLoadError,
    RepayClient,
    build_client,
    load_private_key_file,
)
from auth_plugin.safe.demo_keys import DEMO_API_KEYS, DEMO_SIGNATURE_DIGESTS, PROBE
from papi_sandbox.accounts import load_accounts_file
from papi_sandbox.demo import DEMO_ACCOUNTS_FILE, private_key_file


def demo_credentials() -> dict[str, Credentials]:
    specs = {spec.key_type: spec for spec in load_accounts_file(DEMO_ACCOUNTS_FILE)}
    return {
        "hmac": Credentials(specs["hmac"].api_key, HmacKey(specs["hmac"].key)),
        "rsa": Credentials(specs["rsa"].api_key, load_private_key_file(private_key_file("rsa"))),
        "ed25519": Credentials(
            specs["ed25519"].api_key, load_private_key_file(private_key_file("ed25519"))
        ),
    }


class NoNetwork(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing may be sent, yet {request.url.host} was asked")


def client(base_url: str, credentials: Credentials) -> RepayClient:
    return RepayClient(base_url, credentials, httpx_args={"transport": NoNetwork()})


def test_the_listed_demo_keys_are_the_shipped_ones():
    shipped = demo_credentials()

    assert {c.api_key for c in shipped.values()} == DEMO_API_KEYS
    digests = {
        hashlib.sha256(c.key.sign(PROBE).encode()).hexdigest()[:32] for c in shipped.values()
    }
    assert digests == DEMO_SIGNATURE_DIGESTS


@pytest.mark.parametrize("key_type", ["hmac", "rsa", "ed25519"])
@pytest.mark.parametrize("base_url", ["https://papi.binance.com", "https://203.0.113.7:8443"])
def test_demo_keys_are_refused_off_this_machine_before_anything_is_sent(base_url, key_type):
    credentials = demo_credentials()[key_type]

    with pytest.raises(KeyLoadError, match="fake demo keys") as refused:
        client(base_url, credentials)

    assert httpx.URL(base_url).host in str(refused.value)
    assert "not a loopback address" in str(refused.value)


@pytest.mark.parametrize("key_type", ["hmac", "rsa", "ed25519"])
def test_a_demo_signing_key_under_another_api_key_is_refused_too(key_type):
    demo = demo_credentials()[key_type]

    with pytest.raises(KeyLoadError, match="fake demo keys"):
        client("https://papi.binance.com", Credentials("my-own-api-key", demo.key))


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8000", "http://localhost:8000", "http://127.8.9.10", "http://[::1]:8000"],
)
def test_demo_keys_work_on_loopback(base_url):
    with client(base_url, demo_credentials()["hmac"]) as papi:
        assert papi.config.base_url == base_url


def test_other_keys_go_anywhere():
    with client("https://papi.binance.com", Credentials("mine", HmacKey("my-secret"))) as papi:
        assert papi.config.base_url == "https://papi.binance.com"


@pytest.mark.parametrize("key_type", ["hmac", "rsa", "ed25519"])
def test_the_bare_generated_client_refuses_them_too(key_type):
    with pytest.raises(KeyLoadError, match="fake demo keys"):
        build_client(
            "https://papi.binance.com",
            demo_credentials()[key_type],
            httpx_args={"transport": NoNetwork()},
        )
    build_client("http://127.0.0.1:8000", demo_credentials()[key_type])  # the sandbox: fine
