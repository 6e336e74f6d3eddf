from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.binance_error import BinanceError
from ...models.margin_loan_response import MarginLoanResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    asset: str,
    amount: str,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["asset"] = asset

    params["amount"] = amount

    params["recvWindow"] = recv_window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/papi/v1/marginLoan",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BinanceError | MarginLoanResponse | None:
    if response.status_code == 200:
        response_200 = MarginLoanResponse.from_dict(response.json())

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
) -> Response[BinanceError | MarginLoanResponse]:
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
    amount: str,
    recv_window: int | Unset = UNSET,
) -> Response[BinanceError | MarginLoanResponse]:
    """Margin Account Borrow (MARGIN)

     Apply for a margin loan: the asset's borrowed principal and its free balance grow by
    `amount`.

    Security type MARGIN: SIGNED (the `ApiKeyAuth` and `Signature` schemes), like
    `repayLoan`. The parameters may also travel in an `application/x-www-form-urlencoded`
    body (`x-binance-parameter-locations`). The loan's record is read with
    `GET /papi/v1/margin/marginLoan` and `txId` = `tranId`.

    Weight: 100 (IP). Its rules, each with its source, are in `x-rules` (the docs page, `make docs`,
    shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str): A DECIMAL in fixed-point notation: `^([0-9]{1,20})(\\.[0-9]{1,20})?$`
            (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | MarginLoanResponse]
    """

    kwargs = _get_kwargs(
        asset=asset,
        amount=amount,
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
    amount: str,
    recv_window: int | Unset = UNSET,
) -> BinanceError | MarginLoanResponse | None:
    """Margin Account Borrow (MARGIN)

     Apply for a margin loan: the asset's borrowed principal and its free balance grow by
    `amount`.

    Security type MARGIN: SIGNED (the `ApiKeyAuth` and `Signature` schemes), like
    `repayLoan`. The parameters may also travel in an `application/x-www-form-urlencoded`
    body (`x-binance-parameter-locations`). The loan's record is read with
    `GET /papi/v1/margin/marginLoan` and `txId` = `tranId`.

    Weight: 100 (IP). Its rules, each with its source, are in `x-rules` (the docs page, `make docs`,
    shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str): A DECIMAL in fixed-point notation: `^([0-9]{1,20})(\\.[0-9]{1,20})?$`
            (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | MarginLoanResponse
    """

    return sync_detailed(
        client=client,
        asset=asset,
        amount=amount,
        recv_window=recv_window,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    asset: str,
    amount: str,
    recv_window: int | Unset = UNSET,
) -> Response[BinanceError | MarginLoanResponse]:
    """Margin Account Borrow (MARGIN)

     Apply for a margin loan: the asset's borrowed principal and its free balance grow by
    `amount`.

    Security type MARGIN: SIGNED (the `ApiKeyAuth` and `Signature` schemes), like
    `repayLoan`. The parameters may also travel in an `application/x-www-form-urlencoded`
    body (`x-binance-parameter-locations`). The loan's record is read with
    `GET /papi/v1/margin/marginLoan` and `txId` = `tranId`.

    Weight: 100 (IP). Its rules, each with its source, are in `x-rules` (the docs page, `make docs`,
    shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str): A DECIMAL in fixed-point notation: `^([0-9]{1,20})(\\.[0-9]{1,20})?$`
            (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | MarginLoanResponse]
    """

    kwargs = _get_kwargs(
        asset=asset,
        amount=amount,
        recv_window=recv_window,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    asset: str,
    amount: str,
    recv_window: int | Unset = UNSET,
) -> BinanceError | MarginLoanResponse | None:
    """Margin Account Borrow (MARGIN)

     Apply for a margin loan: the asset's borrowed principal and its free balance grow by
    `amount`.

    Security type MARGIN: SIGNED (the `ApiKeyAuth` and `Signature` schemes), like
    `repayLoan`. The parameters may also travel in an `application/x-www-form-urlencoded`
    body (`x-binance-parameter-locations`). The loan's record is read with
    `GET /papi/v1/margin/marginLoan` and `txId` = `tranId`.

    Weight: 100 (IP). Its rules, each with its source, are in `x-rules` (the docs page, `make docs`,
    shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str): A DECIMAL in fixed-point notation: `^([0-9]{1,20})(\\.[0-9]{1,20})?$`
            (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | MarginLoanResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            asset=asset,
            amount=amount,
            recv_window=recv_window,
        )
    ).parsed
