"""Contains all the data models used in inputs/outputs"""

from .binance_error import BinanceError
from .empty import Empty
from .repay_loan_response import RepayLoanResponse
from .repay_record import RepayRecord
from .repay_record_page import RepayRecordPage
from .repay_record_status import RepayRecordStatus

__all__ = (
    "BinanceError",
    "Empty",
    "RepayLoanResponse",
    "RepayRecord",
    "RepayRecordPage",
    "RepayRecordStatus",
)
