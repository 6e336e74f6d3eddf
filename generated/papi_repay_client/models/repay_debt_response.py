from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RepayDebtResponse")


@_attrs_define
class RepayDebtResponse:
    amount: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    asset: str
    specify_repay_assets: list[str]
    """ The repay assets named in the request (the sandbox echoes them; empty if none). """
    update_time: int
    """ Milliseconds since the epoch. """
    success: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        asset = self.asset

        specify_repay_assets = self.specify_repay_assets

        update_time = self.update_time

        success = self.success

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "asset": asset,
                "specifyRepayAssets": specify_repay_assets,
                "updateTime": update_time,
                "success": success,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        asset = d.pop("asset")

        specify_repay_assets = cast(list[str], d.pop("specifyRepayAssets"))

        update_time = d.pop("updateTime")

        success = d.pop("success")

        repay_debt_response = cls(
            amount=amount,
            asset=asset,
            specify_repay_assets=specify_repay_assets,
            update_time=update_time,
            success=success,
        )

        repay_debt_response.additional_properties = d
        return repay_debt_response

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
