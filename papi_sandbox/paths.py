"""URL paths of the endpoints the sandbox serves."""

REPAY_PATH = "/papi/v1/repayLoan"
RECORDS_PATH = "/papi/v1/margin/repayLoan"
PING_PATH = "/papi/v1/ping"
TIME_PATH = "/api/v3/time"
ADMIN_PREFIX = "/sandbox-admin/"
