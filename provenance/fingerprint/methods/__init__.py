"""The comparison methods, by name. Each module holds one method; ``METHODS`` is the registry.

Add a method: write ``methods/<name>.py`` with ``compare``, ``score`` and ``synthetic_null`` (see
``methods.base``), expose them as ``METHOD = Method(NAME, TITLES[NAME], ...)`` and list its name
and title in ``TITLES`` below. Methods that read weights (``needs_weights``) come after the
fingerprint-only ones.

The registry knows the names and titles without importing the methods: a method's module (and
what it needs: SciPy, Numba...) is imported the first time the method itself is asked for, so the
command line's ``--help`` and the pages that only name methods start in a fraction of a second.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import Method, MethodResult, NullDraw

TITLES: dict[str, str] = {
    "attn_std": "HonestAGI attention σ correlation",
    "tensor_identity": "Bit-identical tensors (BLAKE3)",
    "aligned_cosine": "Centred cosine of aligned weight matrices",
    "embedding_anchor": "Vocabulary-anchored CKA of W_Q/W_K (AWM)",
    "neuron_matching": "Neuron-matching independence test (Zhu et al.)",
    "expert_upcycling": "Experts initialised from a dense MLP (upcycling)",
    "weight_matching": "Weight-only alignment and neuron matching (Git Re-Basin + Zhu et al.)",
    "tokenizer_overlap": "Tokenizer vocabulary overlap (weak evidence)",
}
"""Name → human title, in the order reports list the methods; each name is its module's name."""


class _Registry(Mapping[str, "Method"]):
    """Name → Method; a method's module is imported on first access (``METHODS["attn_std"]``,
    ``METHODS.items()``), then kept. Iterating the names imports nothing."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = names
        self._loaded: dict[str, Method] = {}

    def __getitem__(self, name: str) -> Method:
        method = self._loaded.get(name)
        if method is None:
            if name not in self._names:
                raise KeyError(name)
            method = self._loaded[name] = importlib.import_module(f"{__name__}.{name}").METHOD
        return method

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __repr__(self) -> str:
        return f"METHODS({', '.join(self._names)})"


METHODS: Mapping[str, Method] = _Registry(TITLES)
"""Registry: name → Method, in the order reports list them."""


def method_title(name: str) -> str:
    """The human title of a method (``Method.title``), for every page, table and form that names one.

    A name no longer registered (an old stored report) reads as its words: "old_method" → "old method".
    """
    return TITLES.get(name) or name.replace("_", " ")


def __getattr__(name: str) -> Any:
    # The base types load NumPy: imported when first asked for, like the methods.
    if name in ("Method", "MethodResult", "NullDraw"):
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["METHODS", "TITLES", "Method", "MethodResult", "NullDraw", "method_title"]
