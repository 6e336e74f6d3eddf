"""Account seeds: who may sign (api key + key material) and what they owe and hold.

File format (YAML or JSON), see README.md:

    accounts:
      - name: demo-hmac
        api_key: demo-hmac-api-key
        key_type: hmac            # hmac | rsa | ed25519
        secret: demo-hmac-secret-NOT-A-REAL-KEY
        assets:
          BTC: {principal: "0.5", interest: "0.001", free: "2", borrow_limit: "10"}
      - name: demo-rsa
        api_key: demo-rsa-api-key
        key_type: rsa
        public_key: |             # or public_key_file: path relative to this file
          -----BEGIN PUBLIC KEY-----
          ...
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

import yaml

from papi_sandbox.params import MAX_DECIMAL_PLACES
from papi_sandbox.signatures import KEY_TYPES, KeyType, make_verifier

_API_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
_ASSET = re.compile(r"^[A-Z0-9]{1,20}$")
_PLAIN_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
# What the ledger stores (and what its 28-digit decimal context quantizes without error):
# at most 20 integer digits and 8 decimals.
MAX_INTEGER_DIGITS = 20
_AMOUNT_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS


@dataclass(frozen=True)
class AssetSeed:
    principal: Decimal = Decimal(0)
    interest: Decimal = Decimal(0)
    free: Decimal = Decimal(0)
    # The most this asset's debt (principal + interest) may reach by borrowing; None: no limit
    # but what the ledger can store.
    borrow_limit: Decimal | None = None


@dataclass(frozen=True)
class AccountSpec:
    """key is the HMAC secret (hmac) or the PEM public key (rsa, ed25519)."""

    name: str
    api_key: str
    key_type: KeyType
    key: str = field(repr=False)
    assets: Mapping[str, AssetSeed] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("account name must not be empty")
        if not is_valid_api_key(self.api_key):
            raise ValueError(f"api_key {self.api_key!r} is not 1-128 printable ASCII characters")
        if self.key_type not in KEY_TYPES:
            raise ValueError(f"key_type must be one of {KEY_TYPES}, not {self.key_type!r}")
        for asset in self.assets:
            if not _ASSET.fullmatch(asset):
                raise ValueError(f"asset {asset!r} must match {_ASSET.pattern}")
        make_verifier(self.key_type, self.key)  # fail at load time, not on first request


def is_valid_api_key(api_key: str) -> bool:
    return bool(_API_KEY.fullmatch(api_key))


def parse_seed_amount(value: object, what: str) -> Decimal:
    """A non-negative amount below 10**20 with at most 8 decimals (judged by value: "1.50"
    is fine); strings preferred (floats lose digits). A string must be plain digits with an
    optional fraction: no sign, exponent, blanks or underscores."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"{what} must be a decimal string, got {value!r}")
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value):
        raise ValueError(f"{what} must be a plain non-negative decimal like '12.5', got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{what} is not a decimal: {value!r}") from exc
    if not amount.is_finite() or amount < 0 or amount.is_signed():
        raise ValueError(f"{what} must be a finite non-negative decimal, got {value!r}")
    if amount >= _AMOUNT_LIMIT:
        raise ValueError(f"{what} has more than {MAX_INTEGER_DIGITS} integer digits: {value!r}")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise ValueError(f"{what} has more than {MAX_DECIMAL_PLACES} decimal places: {value!r}")
    return amount


SEED_FIELDS = ("principal", "interest", "free", "borrow_limit")


def asset_seed_from_mapping(raw: object, what: str) -> AssetSeed:
    if not isinstance(raw, Mapping):
        raise ValueError(
            f"{what} must be a mapping of principal/interest/free/borrow_limit, got {raw!r}"
        )
    unknown = set(raw) - {*SEED_FIELDS}
    if unknown:
        raise ValueError(f"{what}: unknown fields {sorted(unknown)}")
    return AssetSeed(
        **{
            name: parse_seed_amount(raw[name], f"{what}.{name}")
            for name in SEED_FIELDS
            if name in raw and not (name == "borrow_limit" and raw[name] is None)
        }
    )


_TEXT_FIELDS = ("name", "api_key", "key_type", "secret", "public_key", "public_key_file")


def account_from_mapping(
    raw: object, base_dir: Path | None = None, *, key_files: bool = True
) -> AccountSpec:
    """An account from its fields; without `key_files` (input from the network) a
    `public_key_file` is refused before any file is touched."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"an account must be a mapping of fields, got {raw!r}")
    unknown = set(raw) - {*_TEXT_FIELDS, "assets"}
    if unknown:
        raise ValueError(f"account fields not understood: {sorted(map(str, unknown))}")
    if not key_files and "public_key_file" in raw:
        raise ValueError("public_key_file is not accepted here: send the PEM as public_key")
    for text_field in _TEXT_FIELDS:
        if text_field in raw and not isinstance(raw[text_field], str):
            raise ValueError(f"account {text_field} must be a string, got {raw[text_field]!r}")
    name = str(raw.get("name", ""))
    key_type = raw.get("key_type")
    if key_type not in KEY_TYPES:
        raise ValueError(f"account {name!r}: key_type must be one of {KEY_TYPES}")
    key = _key_material(raw, cast(KeyType, key_type), name, base_dir)
    assets_raw = raw.get("assets")
    if assets_raw is None:  # `assets:` with nothing under it, in YAML
        assets_raw = {}
    if not isinstance(assets_raw, Mapping):
        raise ValueError(f"account {name!r}: assets must be a mapping")
    assets = {
        str(asset): asset_seed_from_mapping({} if seed is None else seed, f"{name}.{asset}")
        for asset, seed in assets_raw.items()
    }
    return AccountSpec(
        name=name,
        api_key=str(raw.get("api_key", "")),
        key_type=cast(KeyType, key_type),
        key=key,
        assets=assets,
    )


def _key_material(
    raw: Mapping[str, Any], key_type: KeyType, name: str, base_dir: Path | None
) -> str:
    if key_type == "hmac":
        if "public_key" in raw or "public_key_file" in raw:
            raise ValueError(f"account {name!r}: hmac accounts take a secret, not a public key")
        return str(raw.get("secret", ""))
    if "secret" in raw:
        raise ValueError(f"account {name!r}: {key_type} accounts take a public key, not a secret")
    if "public_key_file" in raw:
        path = Path(str(raw["public_key_file"]))
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return path.read_text(encoding="ascii")
    return str(raw.get("public_key", ""))


def load_accounts_file(path: Path) -> list[AccountSpec]:
    """The file's accounts. OSError if it (or a public_key_file) cannot be read; ValueError,
    starting with the path, if its content is not a valid accounts file (bad UTF-8, JSON or
    YAML included)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    try:
        return _accounts_document(text, path)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from exc
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _accounts_document(text: str, path: Path) -> list[AccountSpec]:
    document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(document, Mapping) or not isinstance(document.get("accounts"), list):
        raise ValueError("expected a mapping with an 'accounts' list")
    specs = [account_from_mapping(entry, path.parent) for entry in document["accounts"]]
    names = [spec.name for spec in specs]
    keys = [spec.api_key for spec in specs]
    if len(set(names)) != len(names) or len(set(keys)) != len(keys):
        raise ValueError("account names and api keys must be unique")
    return specs
