from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.loan_record_status import LoanRecordStatus, check_loan_record_status

T = TypeVar("T", bound="LoanRecord")


@_attrs_define
class LoanRecord:
    asset: str
    principal: str
    """ A non-negative decimal in fixed-point notation, as Binance prints amounts. """
    status: LoanRecordStatus
    """ PENDING, CONFIRMED or FAILED (the sandbox's loans are CONFIRMED). """
    timestamp: int
    """ Milliseconds since the epoch. """
    tx_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset = self.asset

        principal = self.principal

        status: str = self.status

        timestamp = self.timestamp

        tx_id = self.tx_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "asset": asset,
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
        asset = d.pop("asset")

        principal = d.pop("principal")

        status = check_loan_record_status(d.pop("status"))

        timestamp = d.pop("timestamp")

        tx_id = d.pop("txId")

        loan_record = cls(
            asset=asset,
            principal=principal,
            status=status,
            timestamp=timestamp,
            tx_id=tx_id,
        )

        loan_record.additional_properties = d
        return loan_record

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
