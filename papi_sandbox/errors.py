"""Binance-shaped API errors: every rejection is `{"code": int, "msg": str}` plus a status."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.responses import Response

LONG_RANGE = "^[0-9]{1,20}$"
DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
ASSET_RANGE = "^[A-Z0-9]{1,20}$"

# An endpoint's answer: HTTP status and JSON body.
Answer = tuple[int, bytes]


class ApiError(Exception):
    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status


def json_response(
    payload: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    # Compact separators: the same bytes Binance sends, so clients that log raw bodies match.
    body = json.dumps(payload, separators=(",", ":"))
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def error_body(error: ApiError) -> bytes:
    """The JSON body of an error answer, as json_response would render it."""
    return json.dumps({"code": error.code, "msg": error.msg}, separators=(",", ":")).encode()


def error_answer(error: ApiError) -> Answer:
    return error.status, error_body(error)


def json_bytes(payload: object) -> bytes:
    """`payload` as json_response renders it."""
    return json.dumps(payload, separators=(",", ":")).encode()


def error_response(error: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"code": error.code, "msg": error.msg}, error.status, headers)


def unknown_error() -> ApiError:
    return ApiError(-1000, "Unknown error, please check your request or try again later.", 503)


def service_unavailable() -> ApiError:
    return ApiError(-1000, "Service Unavailable.", 503)


def server_overloaded() -> ApiError:
    return ApiError(
        -1008,
        "Server is currently overloaded with other requests. Please try again in a few minutes.",
        503,
    )


def timestamp_ahead() -> ApiError:
    return ApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")


def timestamp_outside_window() -> ApiError:
    return ApiError(-1021, "Timestamp for this request is outside of the recvWindow.")


def invalid_signature() -> ApiError:
    return ApiError(-1022, "Signature for this request is not valid.")


def illegal_characters(param: str | None = None, legal_range: str | None = None) -> ApiError:
    if param is None or legal_range is None:
        return ApiError(-1100, "Illegal characters found in a parameter.")
    return ApiError(
        -1100, f"Illegal characters found in parameter '{param}'; legal range is '{legal_range}'."
    )


def duplicate_parameter() -> ApiError:
    return ApiError(-1101, "Duplicate values for a parameter detected.")


def too_many_parameters() -> ApiError:
    return ApiError(-1101, "Too many parameters sent for this endpoint.")


def mandatory_missing(param: str) -> ApiError:
    return ApiError(
        -1102, f"Mandatory parameter '{param}' was not sent, was empty/null, or malformed."
    )


def one_of_missing(first: str, second: str) -> ApiError:
    return ApiError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def unread_parameters(read: int, sent: int) -> ApiError:
    return ApiError(
        -1104,
        f"Not all sent parameters were read; read '{read}' parameter(s) but was sent '{sent}'.",
    )


def bad_precision() -> ApiError:
    return ApiError(-1111, "Precision is over the maximum defined for this asset.")


def lookup_interval_too_big() -> ApiError:
    return ApiError(-1127, "Lookup interval is too big.")


def invalid_parameter(param: str) -> ApiError:
    return ApiError(-1130, f"Data sent for parameter '{param}' is not valid.")


def bad_recv_window() -> ApiError:
    """Binance's text, for a recvWindow above 60000 (it says "less than", yet 60000 passes)."""
    return ApiError(-1131, "recvWindow must be less than 60000")


def recv_window_not_positive() -> ApiError:
    """A sandbox choice: Binance documents no text for a recvWindow of 0."""
    return ApiError(-1131, "recvWindow must be greater than 0.")


def body_too_large(limit: int) -> ApiError:
    """A sandbox choice: Binance documents no limit on a body, nor its answer."""
    return ApiError(-1100, f"Request body too large: at most {limit} bytes are read.", 413)


def api_key_format_invalid() -> ApiError:
    return ApiError(-2014, "API-key format invalid.", 401)


def api_key_rejected() -> ApiError:
    return ApiError(-2015, "Invalid API-key, IP, or permissions for action.", 401)


def repay_exceeds_borrow() -> ApiError:
    return ApiError(-3015, "Repay amount exceeds borrow amount.")


def not_a_margin_asset() -> ApiError:
    return ApiError(-3027, "Not a valid margin asset.")


def balance_not_enough() -> ApiError:
    return ApiError(-3041, "Balance is not enough")


def borrow_exceeds_limit() -> ApiError:
    return ApiError(-3006, "Your borrow amount has exceed maximum borrow amount.")
