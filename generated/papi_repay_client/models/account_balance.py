from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AccountBalance")


@_attrs_define
class AccountBalance:
    """One asset of `GET /papi/v1/balance`. Amounts are decimal strings. `crossMarginAsset` is
    in the list's rows only (Binance's examples, its SDK's models).

    """

    asset: str
    total_wallet_balance: str
    """ A decimal in fixed-point notation that may be negative (a wallet balance), as Binance prints amounts. """
    cross_margin_borrowed: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    cross_margin_free: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    cross_margin_interest: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    cross_margin_locked: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    um_wallet_balance: str
    """ A decimal in fixed-point notation that may be negative (a wallet balance), as Binance prints amounts. """
    um_unrealized_pnl: str
    """ An unrealized profit or loss in fixed-point notation, possibly negative; Binance's example shows an empty
    string too. """
    cm_wallet_balance: str
    """ A decimal in fixed-point notation that may be negative (a wallet balance), as Binance prints amounts. """
    cm_unrealized_pnl: str
    """ An unrealized profit or loss in fixed-point notation, possibly negative; Binance's example shows an empty
    string too. """
    update_time: int
    """ Milliseconds since the epoch of the last update (0 if none). """
    negative_balance: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    cross_margin_asset: str | Unset = UNSET
    """ A decimal in fixed-point notation that may be negative (a wallet balance), as Binance prints amounts. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset = self.asset

        total_wallet_balance = self.total_wallet_balance

        cross_margin_borrowed = self.cross_margin_borrowed

        cross_margin_free = self.cross_margin_free

        cross_margin_interest = self.cross_margin_interest

        cross_margin_locked = self.cross_margin_locked

        um_wallet_balance = self.um_wallet_balance

        um_unrealized_pnl = self.um_unrealized_pnl

        cm_wallet_balance = self.cm_wallet_balance

        cm_unrealized_pnl = self.cm_unrealized_pnl

        update_time = self.update_time

        negative_balance = self.negative_balance

        cross_margin_asset = self.cross_margin_asset

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "asset": asset,
                "totalWalletBalance": total_wallet_balance,
                "crossMarginBorrowed": cross_margin_borrowed,
                "crossMarginFree": cross_margin_free,
                "crossMarginInterest": cross_margin_interest,
                "crossMarginLocked": cross_margin_locked,
                "umWalletBalance": um_wallet_balance,
                "umUnrealizedPNL": um_unrealized_pnl,
                "cmWalletBalance": cm_wallet_balance,
                "cmUnrealizedPNL": cm_unrealized_pnl,
                "updateTime": update_time,
                "negativeBalance": negative_balance,
            }
        )
        if cross_margin_asset is not UNSET:
            field_dict["crossMarginAsset"] = cross_margin_asset

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        asset = d.pop("asset")

        total_wallet_balance = d.pop("totalWalletBalance")

        cross_margin_borrowed = d.pop("crossMarginBorrowed")

        cross_margin_free = d.pop("crossMarginFree")

        cross_margin_interest = d.pop("crossMarginInterest")

        cross_margin_locked = d.pop("crossMarginLocked")

        um_wallet_balance = d.pop("umWalletBalance")

        um_unrealized_pnl = d.pop("umUnrealizedPNL")

        cm_wallet_balance = d.pop("cmWalletBalance")

        cm_unrealized_pnl = d.pop("cmUnrealizedPNL")

        update_time = d.pop("updateTime")

        negative_balance = d.pop("negativeBalance")

        cross_margin_asset = d.pop("crossMarginAsset", UNSET)

        account_balance = cls(
            asset=asset,
            total_wallet_balance=total_wallet_balance,
            cross_margin_borrowed=cross_margin_borrowed,
            cross_margin_free=cross_margin_free,
            cross_margin_interest=cross_margin_interest,
            cross_margin_locked=cross_margin_locked,
            um_wallet_balance=um_wallet_balance,
            um_unrealized_pnl=um_unrealized_pnl,
            cm_wallet_balance=cm_wallet_balance,
            cm_unrealized_pnl=cm_unrealized_pnl,
            update_time=update_time,
            negative_balance=negative_balance,
            cross_margin_asset=cross_margin_asset,
        )

        account_balance.additional_properties = d
        return account_balance

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
