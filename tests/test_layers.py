"""The dependency between the layers points one way: the faces (``claims.views``, ``claims.api``)
and their shared room (``claims.presentation``) import models and selectors, never the reverse.

Read from the source with ``ast``, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FACES = ("claims.presentation", "claims.views", "claims.api")
LOWER = ("claims/models", "claims/selectors")


def _imported(source: str, package: str) -> set[str]:
    """Every module ``source`` (a module of ``package``) imports, absolute, with ``from x import y``
    also counted as ``x.y`` (``y`` may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _offending(source: str, package: str) -> list[str]:
    return sorted(
        n for n in _imported(source, package) if any(n == f or n.startswith(f + ".") for f in FACES)
    )


@pytest.mark.parametrize("folder", LOWER)
def test_models_and_selectors_never_import_the_faces_or_their_room(folder):
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files
    offences = {
        str(p.relative_to(ROOT)): _offending(p.read_text(), ".".join(p.relative_to(ROOT).parent.parts))
        for p in files
    }
    assert {p: names for p, names in offences.items() if names} == {}


def test_the_walker_sees_relative_nested_and_from_package_imports():
    source = "def f():\n    from ..presentation import http_cache\n\nfrom claims import views\n"
    assert _offending(source, "claims.selectors") == [
        "claims.presentation",
        "claims.presentation.http_cache",
        "claims.views",
    ]
