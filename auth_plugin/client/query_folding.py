"""httpx clients that take the query as one string (given to the generated client).

The generated operations pass their parameters as a `params` dict. httpx then parses the URL,
merges the dict into it and rebuilds it: about 30 µs a call, most of what the generated client
costs over a hand-signed request. Folding the dict into the URL string first, with httpx's own
encoding (`str(QueryParams(params))`), gives the same URL for one parse.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

# What urlencode (httpx's encoder) leaves as it is: such keys and values need no quoting.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def fold_params(url: httpx.URL | str, params: Any) -> tuple[httpx.URL | str, Any]:
    if params and isinstance(url, str) and "?" not in url:
        return f"{url}?{_encoded(params)}", None
    return url, params


def _encoded(params: Any) -> str:
    """`str(httpx.QueryParams(params))`, without its cost for the usual dict of plain strings
    and ints (the generated operations' parameters)."""
    if isinstance(params, dict):
        pairs = []
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, str | int):
                break
            text = str(value)
            if not (isinstance(key, str) and _PLAIN.fullmatch(key) and _PLAIN.fullmatch(text)):
                break
            pairs.append(f"{key}={text}")
        else:
            return "&".join(pairs)
    return str(httpx.QueryParams(params))


class _Folding:
    """The one override both clients share: fold `params` into the URL before httpx builds
    the request."""

    def build_request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **kwargs: Any
    ) -> httpx.Request:
        url, params = fold_params(url, params)
        built: httpx.Request = super().build_request(  # type: ignore[misc]
            method, url, params=params, **kwargs
        )
        return built


class QueryFoldingClient(_Folding, httpx.Client):
    pass


class AsyncQueryFoldingClient(_Folding, httpx.AsyncClient):
    pass
