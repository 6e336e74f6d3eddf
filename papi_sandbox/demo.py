"""The demo accounts shipped in the package, FAKE keys and all: what `papi-sandbox` serves when
no `--accounts` is given, so the README's demo keys work from a wheel with every key type."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO_ACCOUNTS_FILE = HERE / "demo_accounts.yaml"
DEMO_KEYS_DIR = HERE / "demo_keys"
# (API key, how it signs): the HMAC secret is in the accounts file, the private keys beside it.
DEMO_ACCOUNTS = (
    ("demo-hmac-api-key", f"HMAC secret: the `secret` of {DEMO_ACCOUNTS_FILE}"),
    ("demo-rsa-api-key", f"RSA private key: {DEMO_KEYS_DIR / 'demo-rsa-private-FAKE.pem'}"),
    (
        "demo-ed25519-api-key",
        f"Ed25519 private key: {DEMO_KEYS_DIR / 'demo-ed25519-private-FAKE.pem'}",
    ),
)


def private_key_file(key_type: str) -> Path:
    """The FAKE private key of the demo account of `key_type` ("rsa" or "ed25519")."""
    return DEMO_KEYS_DIR / f"demo-{key_type}-private-FAKE.pem"


def announcement() -> str:
    """What the sandbox says when it serves the demo accounts because no file was given."""
    width = max(len(api_key) for api_key, _ in DEMO_ACCOUNTS)
    lines = [
        "papi_sandbox: no --accounts given: serving the demo accounts (FAKE keys, for this "
        "sandbox only; --accounts FILE serves yours):"
    ]
    lines += [f"  {api_key:<{width}}  {how}" for api_key, how in DEMO_ACCOUNTS]
    return "\n".join(lines)
