"""The comparison methods, by name. Each module holds one method; ``METHODS`` is the registry.

Add a method: write ``methods/<name>.py`` with ``compare``, ``score`` and ``synthetic_null`` (see
``methods.base``), expose them as ``METHOD = Method(...)`` and register it below. Methods that read
weights (``needs_weights``) come after the fingerprint-only ones.
"""

from __future__ import annotations

from . import (
    aligned_cosine,
    attn_std,
    embedding_anchor,
    expert_upcycling,
    neuron_matching,
    tensor_identity,
    tokenizer_overlap,
    weight_matching,
)
from .base import Method, MethodResult, NullDraw

METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        attn_std.METHOD,
        tensor_identity.METHOD,
        aligned_cosine.METHOD,
        embedding_anchor.METHOD,
        neuron_matching.METHOD,
        expert_upcycling.METHOD,
        weight_matching.METHOD,
        tokenizer_overlap.METHOD,
    )
}
"""Registry: name → Method, in the order reports list them."""


def method_title(name: str) -> str:
    """The human title of a method (``Method.title``), for every page, table and form that names one.

    A name no longer registered (an old stored report) reads as its words: "old_method" → "old method".
    """
    method = METHODS.get(name)
    return method.title if method is not None else name.replace("_", " ")


__all__ = ["METHODS", "Method", "MethodResult", "NullDraw", "method_title"]
