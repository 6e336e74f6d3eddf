"""Where production is, and how long a trading call may take (names only: cheap to import)."""

PRODUCTION_BASE_URL = "https://papi.binance.com"
PRODUCTION_TIME_URL = "https://api.binance.com/api/v3/time"
TIME_PATH = "/api/v3/time"
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_PORTS = {"http": 80, "https": 443}  # what a URL without a port means


def default_time_url(base_url: str) -> str:
    """Binance's spot time endpoint for production; `{base_url}/api/v3/time` otherwise."""
    base = base_url.rstrip("/")
    return PRODUCTION_TIME_URL if base == PRODUCTION_BASE_URL else base + TIME_PATH
