"""No error text shows the API secret or a request signature."""

from __future__ import annotations

import traceback

import pytest

from auth_plugin import OutcomeUnknown, PapiError, RetryPolicy
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
