from typing import Literal

RepayRecordStatus = Literal["CONFIRMED", "FAILED", "PENDING"]

REPAY_RECORD_STATUS_VALUES: set[RepayRecordStatus] = {
    "CONFIRMED",
    "FAILED",
    "PENDING",
}


def check_repay_record_status(value: str) -> RepayRecordStatus:
    if value in REPAY_RECORD_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REPAY_RECORD_STATUS_VALUES!r}"
    )
