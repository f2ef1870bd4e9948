"""The comparison methods, by name. Each module holds one method; ``METHODS`` is the registry.

Add a method: write ``methods/<name>.py`` with ``compare``, ``score`` and ``synthetic_null`` (see
``methods.base``), expose them as ``METHOD = Method(...)`` and register it below.
"""

from __future__ import annotations

from . import aligned_cosine, attn_std, tensor_identity
from .base import Method, MethodResult, NullDraw

METHODS: dict[str, Method] = {
    m.name: m for m in (attn_std.METHOD, tensor_identity.METHOD, aligned_cosine.METHOD)
}
"""Registry: name → Method, in the order reports list them."""

__all__ = ["METHODS", "Method", "MethodResult", "NullDraw"]
