from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.binance_error import BinanceError
from ...models.repay_debt_response import RepayDebtResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    asset: str,
    amount: str | Unset = UNSET,
    specify_repay_assets: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["asset"] = asset

    params["amount"] = amount

    params["specifyRepayAssets"] = specify_repay_assets

    params["recvWindow"] = recv_window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/papi/v1/margin/repay-debt",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BinanceError | RepayDebtResponse | None:
    if response.status_code == 200:
        response_200 = RepayDebtResponse.from_dict(response.json())

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
) -> Response[BinanceError | RepayDebtResponse]:
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
    amount: str | Unset = UNSET,
    specify_repay_assets: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[BinanceError | RepayDebtResponse]:
    """Margin Account Repay Debt (TRADE)

     Repay a margin debt: `amount` of it, or, without `amount`, all of that asset's loan
    (principal and interest) if there are enough repay assets. The same asset is used
    first; `specifyRepayAssets` names others that may be used. At most 50000 USD
    equivalent per request.

    Security type TRADE: SIGNED (the `ApiKeyAuth` and `Signature` schemes). The parameters
    may also travel in an `application/x-www-form-urlencoded` body.

    Weight: **3000**. The sources disagree on what it is counted against: the endpoint
    page says "Request Weight(Order)", the SDK "Weight(IP): 3000". The sandbox counts it
    against the IP weight limit (half the 6000-per-minute budget) and keeps no order-rate
    limit; the client does not call this endpoint. Its rules, each with its source, are in
    `x-rules` (the docs page, `make docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str | Unset): A DECIMAL in fixed-point notation:
            `^([0-9]{1,20})(\\.[0-9]{1,20})?$` (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        specify_repay_assets (str | Unset):
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | RepayDebtResponse]
    """

    kwargs = _get_kwargs(
        asset=asset,
        amount=amount,
        specify_repay_assets=specify_repay_assets,
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
    amount: str | Unset = UNSET,
    specify_repay_assets: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> BinanceError | RepayDebtResponse | None:
    """Margin Account Repay Debt (TRADE)

     Repay a margin debt: `amount` of it, or, without `amount`, all of that asset's loan
    (principal and interest) if there are enough repay assets. The same asset is used
    first; `specifyRepayAssets` names others that may be used. At most 50000 USD
    equivalent per request.

    Security type TRADE: SIGNED (the `ApiKeyAuth` and `Signature` schemes). The parameters
    may also travel in an `application/x-www-form-urlencoded` body.

    Weight: **3000**. The sources disagree on what it is counted against: the endpoint
    page says "Request Weight(Order)", the SDK "Weight(IP): 3000". The sandbox counts it
    against the IP weight limit (half the 6000-per-minute budget) and keeps no order-rate
    limit; the client does not call this endpoint. Its rules, each with its source, are in
    `x-rules` (the docs page, `make docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str | Unset): A DECIMAL in fixed-point notation:
            `^([0-9]{1,20})(\\.[0-9]{1,20})?$` (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        specify_repay_assets (str | Unset):
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | RepayDebtResponse
    """

    return sync_detailed(
        client=client,
        asset=asset,
        amount=amount,
        specify_repay_assets=specify_repay_assets,
        recv_window=recv_window,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    asset: str,
    amount: str | Unset = UNSET,
    specify_repay_assets: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[BinanceError | RepayDebtResponse]:
    """Margin Account Repay Debt (TRADE)

     Repay a margin debt: `amount` of it, or, without `amount`, all of that asset's loan
    (principal and interest) if there are enough repay assets. The same asset is used
    first; `specifyRepayAssets` names others that may be used. At most 50000 USD
    equivalent per request.

    Security type TRADE: SIGNED (the `ApiKeyAuth` and `Signature` schemes). The parameters
    may also travel in an `application/x-www-form-urlencoded` body.

    Weight: **3000**. The sources disagree on what it is counted against: the endpoint
    page says "Request Weight(Order)", the SDK "Weight(IP): 3000". The sandbox counts it
    against the IP weight limit (half the 6000-per-minute budget) and keeps no order-rate
    limit; the client does not call this endpoint. Its rules, each with its source, are in
    `x-rules` (the docs page, `make docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str | Unset): A DECIMAL in fixed-point notation:
            `^([0-9]{1,20})(\\.[0-9]{1,20})?$` (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        specify_repay_assets (str | Unset):
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | RepayDebtResponse]
    """

    kwargs = _get_kwargs(
        asset=asset,
        amount=amount,
        specify_repay_assets=specify_repay_assets,
        recv_window=recv_window,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    asset: str,
    amount: str | Unset = UNSET,
    specify_repay_assets: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> BinanceError | RepayDebtResponse | None:
    """Margin Account Repay Debt (TRADE)

     Repay a margin debt: `amount` of it, or, without `amount`, all of that asset's loan
    (principal and interest) if there are enough repay assets. The same asset is used
    first; `specifyRepayAssets` names others that may be used. At most 50000 USD
    equivalent per request.

    Security type TRADE: SIGNED (the `ApiKeyAuth` and `Signature` schemes). The parameters
    may also travel in an `application/x-www-form-urlencoded` body.

    Weight: **3000**. The sources disagree on what it is counted against: the endpoint
    page says "Request Weight(Order)", the SDK "Weight(IP): 3000". The sandbox counts it
    against the IP weight limit (half the 6000-per-minute budget) and keeps no order-rate
    limit; the client does not call this endpoint. Its rules, each with its source, are in
    `x-rules` (the docs page, `make docs`, shows them under this description).

    Args:
        asset (str): Asset name (STRING).
        amount (str | Unset): A DECIMAL in fixed-point notation:
            `^([0-9]{1,20})(\\.[0-9]{1,20})?$` (Binance's -1100
            range): `12`, `0.5`, `1.500000000`, `0.00000001`. Signs, exponents, spaces and empty
            strings do not match. Precision beyond the asset's is -1111; zero is refused (-1102 in
            the sandbox).
        specify_repay_assets (str | Unset):
        recv_window (int | Unset): Validity window in ms after `timestamp` (server default 5000,
            at most 60000).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | RepayDebtResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            asset=asset,
            amount=amount,
            specify_repay_assets=specify_repay_assets,
            recv_window=recv_window,
        )
    ).parsed
