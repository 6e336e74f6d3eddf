"""The fixed, fake HMAC credentials every benchmark client signs with (loopback servers only)."""

API_KEY = "benchAPIkey0000000000000000000000000000000000000000000000000000"
API_SECRET = "benchSECRET00000000000000000000000000000000000000000000000000000"

# The one repay every client sends: same asset, amount and validity window for all.
ASSET = "USDT"
AMOUNT = "1.5"
RECV_WINDOW = 5000
