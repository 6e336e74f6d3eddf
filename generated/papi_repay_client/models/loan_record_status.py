from typing import Literal

LoanRecordStatus = Literal["CONFIRMED", "FAILED", "PENDING"]

LOAN_RECORD_STATUS_VALUES: set[LoanRecordStatus] = {
    "CONFIRMED",
    "FAILED",
    "PENDING",
}


def check_loan_record_status(value: str) -> LoanRecordStatus:
    if value in LOAN_RECORD_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LOAN_RECORD_STATUS_VALUES!r}"
    )
