"""No error text shows the API secret or a request signature."""

from __future__ import annotations

import copy
import pickle
import traceback

import pytest

from auth_plugin import ClientConfig, OutcomeUnknown, PapiError, RepayClient, RetryPolicy
from papi_sandbox.testing import generate_key
from tests.safety.helpers import closed_port


@pytest.mark.parametrize(
    "fault", ["unknown_after", "drop_after", "unavailable", "overloaded", None, "refused", "bad"]
)
def test_error_texts_never_show_the_secret_or_the_signature(sandbox, make_client, key, fault):
    sent = []
    kwargs = {
        "retry": RetryPolicy.none(),
        "httpx_args": {"event_hooks": {"request": [sent.append]}},
    }
    if fault == "refused":
        kwargs["base_url"] = f"http://127.0.0.1:{closed_port()}"
    elif fault == "bad":
        kwargs["key"] = generate_key("hmac", api_key=key.api_key)
    elif fault is not None:
        sandbox.faults.inject(fault)
    client = make_client(**kwargs)
    amount = "1000" if fault is None else "0.01"  # None: a -3015 rejection
    with pytest.raises(PapiError) as caught:
        client.repay("BTC", amount)
    error = caught.value
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, OutcomeUnknown):
        texts.append(str(client.reconcile_outcome(error, wait=False)))
    signatures = [r.url.params["signature"] for r in sent if "signature" in r.url.params]
    assert signatures
    for text in texts:
        assert key.secret not in text
        assert key.api_key not in text
        for signature in signatures:
            assert signature not in text
        assert "signature=" not in text


def test_a_client_config_shows_and_pickles_no_secret(sandbox, key):
    env = {"BINANCE_API_KEY": key.api_key, "BINANCE_API_SECRET": key.secret, "HOME": "/h"}
    proxy_password = "PROXY-PASSWORD-xyz"
    config = ClientConfig(
        base_url=sandbox.base_url,
        env=env,
        httpx_args={"proxy": f"http://user:{proxy_password}@127.0.0.1:9"},
    )
    with RepayClient(sandbox.base_url, env=env) as client:
        for shown in (config, client.config):
            for text in (repr(shown), str(shown), f"{shown!r}"):
                assert key.secret not in text
                assert key.api_key not in text
                assert proxy_password not in text
                assert "ClientConfig(base_url=" in text  # still readable
            with pytest.raises(TypeError, match="cannot be pickled"):
                pickle.dumps(shown)
            assert copy.copy(shown) is shown
            assert copy.deepcopy(shown) is shown
        assert "env=<3 variables, values hidden>" in repr(client.config)
