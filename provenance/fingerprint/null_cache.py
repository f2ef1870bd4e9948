"""A kept null: a method's null that depends only on (method, version, parameters, shapes), computed once.

``weight_matching``'s null with the alignment generates and aligns independent synthetic pairs of the
compared shapes; it depends on nothing about the compared models but their shapes, so it is kept under
``null_key`` (a SHA-256 of the method name, its null version, the engine version, every parameter that
shapes the null and the shapes, as canonical JSON): a change of any of them is another key, never a
stale null. A store is anything with ``get(key) -> dict | None`` and ``put(key, value)`` (``NullStore``);
values are JSON objects (floats round-trip exactly through ``repr``). The engine ships the file store
(``FileNullCache``: one JSON file per key, written to a temporary file and ``os.replace``d, so two
processes computing the same key at once both leave one whole file); the product keeps rows the workers
share (``claims.services.null_cache``). No store (None) computes the null every time, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from . import ENGINE_VERSION

KEY_RE = re.compile(r"^[0-9a-f]{64}$")


class NullStore(Protocol):
    def get(self, key: str) -> dict | None: ...

    def put(self, key: str, value: dict) -> None: ...


def null_key(method: str, version: int, parameters: dict[str, Any], shapes: list[dict[str, Any]]) -> str:
    """SHA-256 (hex) of everything the null depends on, as canonical JSON."""
    payload = {
        "method": method,
        "method_version": version,
        "engine_version": ENGINE_VERSION,
        "parameters": parameters,
        "shapes": shapes,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def default_dir() -> Path:
    """``$XDG_CACHE_HOME/provenance/nulls``, else ``~/.cache/provenance/nulls``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provenance" / "nulls"


class FileNullCache:
    """One ``<key>.json`` per null in ``folder`` (created when first written)."""

    def __init__(self, folder: str | os.PathLike[str] | None = None):
        self.folder = Path(folder) if folder is not None else default_dir()

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise ValueError(f"not a null key: {key!r}")
        return self.folder / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        try:
            value = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # unreadable or truncated by hand: computed again and rewritten
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict) -> None:
        """Keep ``value``; a folder that cannot be written keeps nothing (the report is not lost)."""
        path = self._path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".tmp", dir=self.folder)
        except OSError:
            return
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(value, f, allow_nan=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def cached(store: NullStore | None, key: str, compute) -> dict:
    """The value kept under ``key`` in ``store``, else ``compute()`` (kept when there is a store)."""
    if store is not None:
        hit = store.get(key)
        if hit is not None:
            return hit
    value = compute()
    if store is not None:
        store.put(key, value)
    return value
