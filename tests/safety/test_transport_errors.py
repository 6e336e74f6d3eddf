"""Every httpx failure to get an answer, raised by the transport under a real client's repay:
only a failure that provably happens before a byte of the request is written is
`ConnectionFailed` (and retried); every other one is `OutcomeUnknown`, after exactly one send.

The table below names each concrete `httpx.RequestError` (the `httpx.TransportError` family
and the two errors raised after an answer came) with the reason for its outcome; a class httpx
adds later fails the test until it is decided here.
"""

from __future__ import annotations

import httpx
import pytest

from auth_plugin import (
    AsyncRepayClient,
    ConnectionFailed,
    OutcomeUnknown,
    PapiError,
    RepayClient,
    RetryPolicy,
)
from papi_sandbox.testing import generate_key
from tests.safety.helpers import REPAY, FakeTime, Sleeper, credentials_for

NOT_SENT, MAY_HAVE_RUN = ConnectionFailed, OutcomeUnknown

# (error, outcome, why): "before a byte" refers to httpcore 1.0, httpx's transport.
DECISIONS: tuple[tuple[type[httpx.RequestError], type[PapiError], str], ...] = (
    (
        httpx.ConnectError,
        NOT_SENT,
        "raised only while opening the TCP connection or doing the TLS handshake",
    ),
    (httpx.ConnectTimeout, NOT_SENT, "the same phase, timed out"),
    (httpx.PoolTimeout, NOT_SENT, "no pooled connection became free: nothing was written anywhere"),
    (
        httpx.ProxyError,
        NOT_SENT,
        "the proxy refused the CONNECT tunnel or the SOCKS handshake: both come first",
    ),
    (
        httpx.WriteTimeout,
        MAY_HAVE_RUN,
        "part of the request may be out, and the server may act on it",
    ),
    (
        httpx.WriteError,
        MAY_HAVE_RUN,
        "the connection broke while writing: part of the request may be out",
    ),
    (httpx.ReadTimeout, MAY_HAVE_RUN, "the request was written; its answer did not come in time"),
    (httpx.ReadError, MAY_HAVE_RUN, "the request was written; the connection broke while reading"),
    (
        httpx.RemoteProtocolError,
        MAY_HAVE_RUN,
        "the server closed without answering, or answered nonsense, after the request",
    ),
    (
        httpx.LocalProtocolError,
        MAY_HAVE_RUN,
        "h11 refused an event of the request, possibly after its headers were written",
    ),
    (
        httpx.CloseError,
        MAY_HAVE_RUN,
        "closing a connection failed: the request on it may have been complete",
    ),
    (
        httpx.UnsupportedProtocol,
        MAY_HAVE_RUN,
        "the client refuses a base URL that is not http(s): only a followed redirect, after "
        "an answer, gets here",
    ),
    (httpx.DecodingError, MAY_HAVE_RUN, "an answer came; its body could not be decoded"),
    (httpx.TooManyRedirects, MAY_HAVE_RUN, "the request was answered, with redirects"),
)
DECIDED = {error: outcome for error, outcome, _ in DECISIONS}
RETRY = RetryPolicy()


def _concrete(cls: type[Exception]) -> set[type[Exception]]:
    subclasses = cls.__subclasses__()
    if not subclasses:
        return {cls}
    return set().union(*(_concrete(sub) for sub in subclasses))


class FailingTransport:
    """A MockTransport handler that raises `error` for every request, counting repay sends."""

    def __init__(self, error: type[httpx.RequestError]) -> None:
        self.error = error
        self.repays: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == REPAY:
            self.repays.append(request)
        raise self.error(f"{self.error.__name__} from the test", request=request)


@pytest.fixture(scope="module")
def creds():
    return credentials_for(generate_key("hmac"))


def _assert_outcome(
    error: PapiError, outcome: type[PapiError], transport: FailingTransport
) -> None:
    assert type(error) is outcome, (transport.error, type(error))
    if outcome is OutcomeUnknown:
        assert isinstance(error, OutcomeUnknown)
        assert len(transport.repays) == 1
        assert (error.asset, error.amount, error.executed) == ("BTC", "0.01", None)
        assert error.timestamp_ms == int(transport.repays[0].url.params["timestamp"])
    else:
        assert error.executed is False
        # Nothing left, so it may be sent again: it is, within the budget.
        assert len(transport.repays) == 1 + RETRY.max_retries


def test_every_concrete_httpx_request_error_is_decided() -> None:
    assert _concrete(httpx.TransportError) <= set(DECIDED)
    assert _concrete(httpx.RequestError) == set(DECIDED)


@pytest.mark.parametrize(
    ("failure", "outcome", "why"), DECISIONS, ids=[error.__name__ for error, _, _ in DECISIONS]
)
def test_a_repay_failing_in_the_transport(creds, failure, outcome, why) -> None:
    transport = FailingTransport(failure)
    fake = FakeTime()
    client = RepayClient(
        "http://127.0.0.1:9",
        creds,
        retry=RETRY,
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        httpx_args={"transport": httpx.MockTransport(transport)},
    )
    with client, pytest.raises(PapiError) as caught:
        client.repay("BTC", "0.01")
    _assert_outcome(caught.value, outcome, transport)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("failure", "outcome", "why"), DECISIONS, ids=[error.__name__ for error, _, _ in DECISIONS]
)
async def test_an_async_repay_failing_in_the_transport(creds, failure, outcome, why) -> None:
    transport = FailingTransport(failure)
    client = AsyncRepayClient(
        "http://127.0.0.1:9",
        creds,
        retry=RETRY,
        sleep=Sleeper().asleep,
        httpx_args={"transport": httpx.MockTransport(transport)},
    )
    with pytest.raises(PapiError) as caught:
        await client.repay("BTC", "0.01")
    await client.close()
    _assert_outcome(caught.value, outcome, transport)
