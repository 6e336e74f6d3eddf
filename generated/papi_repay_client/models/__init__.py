"""Contains all the data models used in inputs/outputs"""

from .account_balance import AccountBalance
from .binance_error import BinanceError
from .empty import Empty
from .loan_record import LoanRecord
from .loan_record_page import LoanRecordPage
from .loan_record_status import LoanRecordStatus
from .margin_loan_response import MarginLoanResponse
from .repay_debt_response import RepayDebtResponse
from .repay_loan_response import RepayLoanResponse
from .repay_record import RepayRecord
from .repay_record_page import RepayRecordPage
from .repay_record_status import RepayRecordStatus

__all__ = (
    "AccountBalance",
    "BinanceError",
    "Empty",
    "LoanRecord",
    "LoanRecordPage",
    "LoanRecordStatus",
    "MarginLoanResponse",
    "RepayDebtResponse",
    "RepayLoanResponse",
    "RepayRecord",
    "RepayRecordPage",
    "RepayRecordStatus",
)
