"""The sandbox's contract: openapi.yaml with overlays/sandbox.overlay.yaml applied.

The overlay (OpenAPI Overlay 1.0) is applied by oas-patch, a maintained applier pinned in
requirements.lock; `make sandbox-spec` runs its command line to write the same document.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from oas_patch.overlay import apply_overlay

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
OVERLAY_PATH = ROOT / "overlays" / "sandbox.overlay.yaml"


@functools.cache
def _documents() -> tuple[dict[str, Any], dict[str, Any]]:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    overlay = yaml.safe_load(OVERLAY_PATH.read_text(encoding="utf-8"))
    return spec, overlay


def overlay() -> dict[str, Any]:
    return copy.deepcopy(_documents()[1])


def sandbox_spec() -> dict[str, Any]:
    """A fresh copy of openapi.yaml with the overlay applied (the inputs are never changed)."""
    spec, overlay_doc = _documents()
    applied: dict[str, Any] = apply_overlay(copy.deepcopy(spec), copy.deepcopy(overlay_doc))
    return applied


def write_sandbox_spec(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(sandbox_spec(), sort_keys=False, allow_unicode=True, width=4096),
        encoding="utf-8",
    )
    return path
