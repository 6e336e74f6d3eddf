"""A client library for accessing Binance Portfolio Margin - Margin Account Repay"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
