from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.repay_record_status import RepayRecordStatus, check_repay_record_status

T = TypeVar("T", bound="RepayRecord")


@_attrs_define
class RepayRecord:
    amount: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    asset: str
    interest: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    principal: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    status: RepayRecordStatus
    """ PENDING (not executed yet), CONFIRMED (executed) or FAILED (not executed, nothing changed); the values and
    their meanings are the SDK's record model's ("one of PENDING (pending execution), CONFIRMED (successfully
    execution), FAILED (execution failed, nothing happened to your account)"); Binance's page shows CONFIRMED only.
    """
    timestamp: int
    """ Milliseconds since the epoch. """
    tx_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        asset = self.asset

        interest = self.interest

        principal = self.principal

        status: str = self.status

        timestamp = self.timestamp

        tx_id = self.tx_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "asset": asset,
                "interest": interest,
                "principal": principal,
                "status": status,
                "timestamp": timestamp,
                "txId": tx_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        asset = d.pop("asset")

        interest = d.pop("interest")

        principal = d.pop("principal")

        status = check_repay_record_status(d.pop("status"))

        timestamp = d.pop("timestamp")

        tx_id = d.pop("txId")

        repay_record = cls(
            amount=amount,
            asset=asset,
            interest=interest,
            principal=principal,
            status=status,
            timestamp=timestamp,
            tx_id=tx_id,
        )

        repay_record.additional_properties = d
        return repay_record

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
