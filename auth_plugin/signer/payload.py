"""What is signed: Binance's `totalParams`, built from the bytes that go on the wire.

Binance verifies the signature over `query string + request body`, concatenated with no
separator, exactly as received. So everything here works on the encoded bytes that httpx will
send (`request.url.query`, `request.content`) and never decodes and re-encodes parameters: a
re-encoding could differ from what is sent (space as '+' or '%20', case of hex escapes) and
the signature would no longer match.

Parameter names can be found without decoding because a raw '&' or '=' inside a name or value
is always percent-encoded on the wire; an unencoded '&' is always a separator.
"""

from __future__ import annotations

from collections.abc import Collection

TIMESTAMP = b"timestamp"
SIGNATURE = b"signature"
RECV_WINDOW = b"recvWindow"

#: Parameters that only the signer writes; left over from an earlier signing, they are replaced.
SIGNER_OWNED = frozenset({TIMESTAMP, SIGNATURE})

# Characters of base64 that are not URL-safe.
_BASE64_ESCAPES = str.maketrans({"+": "%2B", "/": "%2F", "=": "%3D"})


def has_param(encoded: bytes, name: bytes) -> bool:
    """Whether the encoded query/form string has a parameter called `name`."""
    if name not in encoded:  # fast path: the common case costs one substring search
        return False
    return any(segment.partition(b"=")[0] == name for segment in encoded.split(b"&"))


def without_params(encoded: bytes, names: Collection[bytes]) -> bytes:
    """`encoded` minus every parameter whose name is in `names`; the rest is kept byte for byte."""
    if not any(name in encoded for name in names):
        return encoded
    return b"&".join(
        segment for segment in encoded.split(b"&") if segment.partition(b"=")[0] not in names
    )


def with_param(encoded: bytes, name: bytes, value: bytes) -> bytes:
    """`encoded` with `name=value` appended last; `value` must already be URL-safe."""
    if not encoded:
        return name + b"=" + value
    if encoded.endswith(b"&"):
        return encoded + name + b"=" + value
    return encoded + b"&" + name + b"=" + value


def unsigned_query(
    query: bytes,
    body: bytes,
    *,
    timestamp_ms: int,
    default_recv_window: int | None,
) -> bytes:
    """The query string to sign and send, before the signature is appended.

    Drops `timestamp`/`signature` left by an earlier signing (a retry signs anew, it doesn't
    add a second pair), adds `default_recv_window` only when the caller sent no `recvWindow`
    in the query or the body (a query value would override the caller's body value), then
    appends `timestamp`.
    """
    query = without_params(query, SIGNER_OWNED)
    if (
        default_recv_window is not None
        and not has_param(query, RECV_WINDOW)
        and not has_param(body, RECV_WINDOW)
    ):
        query = with_param(query, RECV_WINDOW, str(default_recv_window).encode("ascii"))
    return with_param(query, TIMESTAMP, str(timestamp_ms).encode("ascii"))


def total_params(query: bytes, body: bytes) -> bytes:
    """Binance's `totalParams`: the query string immediately followed by the body."""
    return query + body


def url_safe_signature(signature: str) -> str:
    """Percent-encode the characters of base64 that have a meaning in a URL."""
    return signature.translate(_BASE64_ESCAPES)


def signed_query(unsigned: bytes, signature: str) -> bytes:
    """`unsigned` with the (URL-safe) signature appended as the last parameter."""
    return with_param(unsigned, SIGNATURE, signature.encode("ascii"))
