"""Bodies are capped at MAX_BODY_BYTES: a larger Content-Length is refused before anything is
read, a chunked body is cut off at the cap (never read whole), and deeply nested admin JSON is a
400, not a 500."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from papi_sandbox.signed_request import MAX_BODY_BYTES, BodyTooLarge, receive_body
from tests.sandbox.helpers import REPAY, assert_error

PATIENCE = 5.0  # the body timeout is longer: a server waiting for the body fails the test
ADMIN_ACCOUNTS = "/sandbox-admin/accounts"


def _exchange(port: int, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send `head` (and `body`) on a raw socket, then the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as sock:
        sock.settimeout(PATIENCE)
        sock.sendall(head.encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            assert chunk, f"closed without an answer: {answer!r}"
            answer += chunk
        head_bytes, _, rest = answer.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head_bytes.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            rest += sock.recv(65536)
        return int(head_bytes.split(b" ")[1]), rest


def _head(method: str, path: str, *headers: str) -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", [REPAY, ADMIN_ACCOUNTS])
def test_a_huge_content_length_is_refused_before_the_body_is_sent(sandbox, path):
    head = _head(
        "POST", path, "Content-Type: application/json", f"Content-Length: {300 * 1024 * 1024}"
    )
    status, body = _exchange(sandbox.port, head)  # not one byte of the body
    assert status == 413
    assert str(MAX_BODY_BYTES) in body.decode()
    assert sandbox.counters.get("POST", REPAY) == (1 if path == REPAY else 0)
    assert sandbox.ledger.repays("acct-hmac") == []


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", [REPAY, ADMIN_ACCOUNTS])
def test_a_chunked_body_is_cut_off_at_the_cap(sandbox, path):
    head = _head("POST", path, "Content-Type: application/json", "Transfer-Encoding: chunked")
    chunk = b"x" * 1024
    # Past the cap, and never finished (no last chunk): only a reader that stops at the cap
    # can answer.
    chunks = b"".join(b"400\r\n" + chunk + b"\r\n" for _ in range(MAX_BODY_BYTES // 1024 + 2))
    status, body = _exchange(sandbox.port, head, chunks)
    assert status == 413
    assert str(MAX_BODY_BYTES) in body.decode()
    assert sandbox.ledger.repays("acct-hmac") == []


def test_the_repay_answer_is_binance_shaped(sandbox, client, http):
    response = client.send(
        "POST", REPAY, body=[("asset", "BTC"), ("amount", "0.01"), ("pad", "x" * MAX_BODY_BYTES)]
    )
    assert_error(response, 413, -1100)
    assert "x-mbx-used-weight-1m" in response.headers
    assert sandbox.ledger.repays("acct-hmac") == []


def test_a_repay_under_the_cap_is_read_as_before(sandbox, client):
    assert client.repay("BTC", "0.01", where="body").status_code == 200


def test_an_admin_body_over_the_cap_is_refused_and_changes_nothing(sandbox, http):
    entry = {
        "name": "big",
        "api_key": "big-key",
        "key_type": "hmac",
        "secret": "s" * MAX_BODY_BYTES,
    }
    response = http.post(ADMIN_ACCOUNTS, json=entry)
    assert response.status_code == 413
    assert "big" not in {a.name for a in sandbox.accounts()}


@pytest.mark.parametrize("depth", [100, 1000, 3000])
def test_deeply_nested_admin_json_is_a_400(sandbox, http, depth):
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    assert len(body) <= MAX_BODY_BYTES
    response = http.post(
        ADMIN_ACCOUNTS, content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert set(json.loads(response.text)) == {"error"}


@pytest.mark.timeout(30)
def test_the_cap_holds_with_a_fault_armed(sandbox):
    sandbox.faults.inject("latency_before", seconds=0.01)
    head = _head("POST", REPAY, f"Content-Length: {MAX_BODY_BYTES + 1}")
    status, body = _exchange(sandbox.port, head)
    assert status == 413
    assert json.loads(body)["code"] == -1100
    assert sandbox.ledger.repays("acct-hmac") == []


def test_one_oversized_message_without_a_content_length_is_refused():
    async def receive():
        return {"type": "http.request", "body": b"x" * (MAX_BODY_BYTES + 1), "more_body": False}

    with pytest.raises(BodyTooLarge):
        asyncio.run(receive_body({"headers": []}, receive))
