from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.binance_error import BinanceError
from ...models.loan_record_page import LoanRecordPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    asset: str,
    tx_id: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    current: int | Unset = 1,
    size: int | Unset = 10,
    archived: bool | Unset = False,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["asset"] = asset

    params["txId"] = tx_id

    params["startTime"] = start_time

    params["endTime"] = end_time

    params["current"] = current

    params["size"] = size

    params["archived"] = archived

    params["recvWindow"] = recv_window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/papi/v1/margin/marginLoan",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BinanceError | LoanRecordPage | None:
    if response.status_code == 200:
        response_200 = LoanRecordPage.from_dict(response.json())

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
) -> Response[BinanceError | LoanRecordPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    asset: str,
    tx_id: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    current: int | Unset = 1,
    size: int | Unset = 10,
    archived: bool | Unset = False,
    recv_window: int | Unset = UNSET,
) -> Response[BinanceError | LoanRecordPage]:
    """Query Margin Loan Record (USER_DATA)

     Loan (borrow) records of one asset: the borrow twin of `queryRepayRecords`, with the
    same parameters and rules. `txId` or `startTime` must be sent; `txId` takes
    precedence. Without `startTime` and `endTime`, the last 7 days are searched; their
    span may not exceed 30 days. `archived=true` reads data older than 6 months.

    Security type USER_DATA: SIGNED. Weight: 10 (IP). Parameters travel in the query
    string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs page, `make
    docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        tx_id (int | Unset):
        start_time (int | Unset):
        end_time (int | Unset):
        current (int | Unset):  Default: 1.
        size (int | Unset):  Default: 10.
        archived (bool | Unset):  Default: False.
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | LoanRecordPage]
    """

    kwargs = _get_kwargs(
        asset=asset,
        tx_id=tx_id,
        start_time=start_time,
        end_time=end_time,
        current=current,
        size=size,
        archived=archived,
        recv_window=recv_window,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    asset: str,
    tx_id: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    current: int | Unset = 1,
    size: int | Unset = 10,
    archived: bool | Unset = False,
    recv_window: int | Unset = UNSET,
) -> BinanceError | LoanRecordPage | None:
    """Query Margin Loan Record (USER_DATA)

     Loan (borrow) records of one asset: the borrow twin of `queryRepayRecords`, with the
    same parameters and rules. `txId` or `startTime` must be sent; `txId` takes
    precedence. Without `startTime` and `endTime`, the last 7 days are searched; their
    span may not exceed 30 days. `archived=true` reads data older than 6 months.

    Security type USER_DATA: SIGNED. Weight: 10 (IP). Parameters travel in the query
    string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs page, `make
    docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        tx_id (int | Unset):
        start_time (int | Unset):
        end_time (int | Unset):
        current (int | Unset):  Default: 1.
        size (int | Unset):  Default: 10.
        archived (bool | Unset):  Default: False.
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | LoanRecordPage
    """

    return sync_detailed(
        client=client,
        asset=asset,
        tx_id=tx_id,
        start_time=start_time,
        end_time=end_time,
        current=current,
        size=size,
        archived=archived,
        recv_window=recv_window,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    asset: str,
    tx_id: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    current: int | Unset = 1,
    size: int | Unset = 10,
    archived: bool | Unset = False,
    recv_window: int | Unset = UNSET,
) -> Response[BinanceError | LoanRecordPage]:
    """Query Margin Loan Record (USER_DATA)

     Loan (borrow) records of one asset: the borrow twin of `queryRepayRecords`, with the
    same parameters and rules. `txId` or `startTime` must be sent; `txId` takes
    precedence. Without `startTime` and `endTime`, the last 7 days are searched; their
    span may not exceed 30 days. `archived=true` reads data older than 6 months.

    Security type USER_DATA: SIGNED. Weight: 10 (IP). Parameters travel in the query
    string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs page, `make
    docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        tx_id (int | Unset):
        start_time (int | Unset):
        end_time (int | Unset):
        current (int | Unset):  Default: 1.
        size (int | Unset):  Default: 10.
        archived (bool | Unset):  Default: False.
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | LoanRecordPage]
    """

    kwargs = _get_kwargs(
        asset=asset,
        tx_id=tx_id,
        start_time=start_time,
        end_time=end_time,
        current=current,
        size=size,
        archived=archived,
        recv_window=recv_window,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    asset: str,
    tx_id: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_time: int | Unset = UNSET,
    current: int | Unset = 1,
    size: int | Unset = 10,
    archived: bool | Unset = False,
    recv_window: int | Unset = UNSET,
) -> BinanceError | LoanRecordPage | None:
    """Query Margin Loan Record (USER_DATA)

     Loan (borrow) records of one asset: the borrow twin of `queryRepayRecords`, with the
    same parameters and rules. `txId` or `startTime` must be sent; `txId` takes
    precedence. Without `startTime` and `endTime`, the last 7 days are searched; their
    span may not exceed 30 days. `archived=true` reads data older than 6 months.

    Security type USER_DATA: SIGNED. Weight: 10 (IP). Parameters travel in the query
    string only (a `GET`). Its rules, each with its source, are in `x-rules` (the docs page, `make
    docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        tx_id (int | Unset):
        start_time (int | Unset):
        end_time (int | Unset):
        current (int | Unset):  Default: 1.
        size (int | Unset):  Default: 10.
        archived (bool | Unset):  Default: False.
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | LoanRecordPage
    """

    return (
        await asyncio_detailed(
            client=client,
            asset=asset,
            tx_id=tx_id,
            start_time=start_time,
            end_time=end_time,
            current=current,
            size=size,
            archived=archived,
            recv_window=recv_window,
        )
    ).parsed
