from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_balance import AccountBalance
from ...models.binance_error import BinanceError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    asset: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["asset"] = asset

    params["recvWindow"] = recv_window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/papi/v1/balance",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AccountBalance | list[AccountBalance] | BinanceError | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> AccountBalance | list[AccountBalance]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = AccountBalance.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            response_200_type_1 = []
            _response_200_type_1 = data
            for response_200_type_1_item_data in _response_200_type_1:
                response_200_type_1_item = AccountBalance.from_dict(
                    response_200_type_1_item_data
                )

                response_200_type_1.append(response_200_type_1_item)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = BinanceError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = BinanceError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = BinanceError.from_dict(response.json())

        return response_403

    if response.status_code == 418:
        response_418 = BinanceError.from_dict(response.json())

        return response_418

    if response.status_code == 429:
        response_429 = BinanceError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = BinanceError.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = BinanceError.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AccountBalance | list[AccountBalance] | BinanceError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    asset: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[AccountBalance | list[AccountBalance] | BinanceError]:
    """Account Balance (USER_DATA)

     The account's balance per asset: what it owes (`crossMarginBorrowed` principal and
    `crossMarginInterest`) and holds (`crossMarginFree`, `crossMarginLocked`, wallets).

    With `asset`: **one object**; without it: **a list** of objects, one per asset. The
    response schema is the one-object-or-list union (`oneOf`), so the generated client
    returns `AccountBalance | list[AccountBalance]`. The list's rows also carry
    `crossMarginAsset`; Binance's one-object example and its SDK's model do not.

    Security type USER_DATA: SIGNED, like `repayLoan`. Weight: 20 (IP). Parameters travel
    in the query string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs
    page, `make docs`, shows them under this description).

    Args:
        asset (str | Unset): Asset name (STRING).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountBalance | list[AccountBalance] | BinanceError]
    """

    kwargs = _get_kwargs(
        asset=asset,
        recv_window=recv_window,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    asset: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> AccountBalance | list[AccountBalance] | BinanceError | None:
    """Account Balance (USER_DATA)

     The account's balance per asset: what it owes (`crossMarginBorrowed` principal and
    `crossMarginInterest`) and holds (`crossMarginFree`, `crossMarginLocked`, wallets).

    With `asset`: **one object**; without it: **a list** of objects, one per asset. The
    response schema is the one-object-or-list union (`oneOf`), so the generated client
    returns `AccountBalance | list[AccountBalance]`. The list's rows also carry
    `crossMarginAsset`; Binance's one-object example and its SDK's model do not.

    Security type USER_DATA: SIGNED, like `repayLoan`. Weight: 20 (IP). Parameters travel
    in the query string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs
    page, `make docs`, shows them under this description).

    Args:
        asset (str | Unset): Asset name (STRING).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountBalance | list[AccountBalance] | BinanceError
    """

    return sync_detailed(
        client=client,
        asset=asset,
        recv_window=recv_window,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    asset: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[AccountBalance | list[AccountBalance] | BinanceError]:
    """Account Balance (USER_DATA)

     The account's balance per asset: what it owes (`crossMarginBorrowed` principal and
    `crossMarginInterest`) and holds (`crossMarginFree`, `crossMarginLocked`, wallets).

    With `asset`: **one object**; without it: **a list** of objects, one per asset. The
    response schema is the one-object-or-list union (`oneOf`), so the generated client
    returns `AccountBalance | list[AccountBalance]`. The list's rows also carry
    `crossMarginAsset`; Binance's one-object example and its SDK's model do not.

    Security type USER_DATA: SIGNED, like `repayLoan`. Weight: 20 (IP). Parameters travel
    in the query string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs
    page, `make docs`, shows them under this description).

    Args:
        asset (str | Unset): Asset name (STRING).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountBalance | list[AccountBalance] | BinanceError]
    """

    kwargs = _get_kwargs(
        asset=asset,
        recv_window=recv_window,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    asset: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> AccountBalance | list[AccountBalance] | BinanceError | None:
    """Account Balance (USER_DATA)

     The account's balance per asset: what it owes (`crossMarginBorrowed` principal and
    `crossMarginInterest`) and holds (`crossMarginFree`, `crossMarginLocked`, wallets).

    With `asset`: **one object**; without it: **a list** of objects, one per asset. The
    response schema is the one-object-or-list union (`oneOf`), so the generated client
    returns `AccountBalance | list[AccountBalance]`. The list's rows also carry
    `crossMarginAsset`; Binance's one-object example and its SDK's model do not.

    Security type USER_DATA: SIGNED, like `repayLoan`. Weight: 20 (IP). Parameters travel
    in the query string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs
    page, `make docs`, shows them under this description).

    Args:
        asset (str | Unset): Asset name (STRING).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountBalance | list[AccountBalance] | BinanceError
    """

    return (
        await asyncio_detailed(
            client=client,
            asset=asset,
            recv_window=recv_window,
        )
    ).parsed
