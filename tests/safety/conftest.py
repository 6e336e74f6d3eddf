"""Fixtures: one sandbox per module (fresh state per test), keys, and RepayClient factories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from auth_plugin import AsyncRepayClient, RepayClient
from papi_sandbox.testing import GeneratedKey, ServedSandbox, generate_key, running_sandbox
from tests.safety.helpers import (
    UNLIMITED,
    Sleeper,
    account_spec,
    credentials_for,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def key() -> GeneratedKey:
    return generate_key("hmac")


@pytest.fixture(scope="module")
def shared_sandbox(key: GeneratedKey) -> Iterator[ServedSandbox]:
    with running_sandbox(
        accounts=(account_spec(key),), weight_limit=UNLIMITED, enable_admin=True
    ) as handle:
        yield handle


@pytest.fixture
def sandbox(shared_sandbox: ServedSandbox) -> ServedSandbox:
    shared_sandbox.reset()
    return shared_sandbox


@pytest.fixture
def sleeper(sandbox: ServedSandbox) -> Sleeper:
    """The clients' sleep: the sandbox's clock moves instead of real time passing."""
    return Sleeper(clock=sandbox.clock)


@pytest.fixture
def make_client(
    sandbox: ServedSandbox, key: GeneratedKey, sleeper: Sleeper
) -> Iterator[Callable[..., RepayClient]]:
    """RepayClient for the module sandbox (or `base_url=`), recording sleeps; closed after."""
    opened: list[RepayClient] = []

    def build(**kwargs: Any) -> RepayClient:
        kwargs.setdefault("sleep", sleeper)
        base_url = kwargs.pop("base_url", sandbox.base_url)
        client = RepayClient(base_url, credentials_for(kwargs.pop("key", key)), **kwargs)
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.close()


@pytest.fixture
async def make_async_client(
    sandbox: ServedSandbox, key: GeneratedKey, sleeper: Sleeper
) -> AsyncIterator[Callable[..., AsyncRepayClient]]:
    opened: list[AsyncRepayClient] = []

    def build(**kwargs: Any) -> AsyncRepayClient:
        kwargs.setdefault("sleep", sleeper.asleep)
        base_url = kwargs.pop("base_url", sandbox.base_url)
        client = AsyncRepayClient(base_url, credentials_for(kwargs.pop("key", key)), **kwargs)
        opened.append(client)
        return client

    yield build
    for client in opened:
        await client.close()
