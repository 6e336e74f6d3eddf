"""The environment variables credentials are read from (names only: cheap to import)."""

ENV_API_KEY = "BINANCE_API_KEY"
# Names of environment variables, not secrets (hence the noqa for "hardcoded password").
ENV_API_SECRET = "BINANCE_API_SECRET"  # noqa: S105
ENV_PRIVATE_KEY_PATH = "BINANCE_PRIVATE_KEY_PATH"
ENV_PRIVATE_KEY_PASSPHRASE = "BINANCE_PRIVATE_KEY_PASSPHRASE"  # noqa: S105

__all__ = ["ENV_API_KEY", "ENV_API_SECRET", "ENV_PRIVATE_KEY_PASSPHRASE", "ENV_PRIVATE_KEY_PATH"]
