"""Byte counts as people read them (``4.9 GB``): one formatter for error messages, progress lines
and tables. No NumPy here: the settings and the source naming import it."""

from __future__ import annotations


def human_bytes(n: int) -> str:
    """``4.9 GB``-style size (decimal units, one decimal), for error messages."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
