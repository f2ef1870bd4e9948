"""Issue 27: the command line starts without the heavy modules (NumPy, SciPy, Numba, Celery), and the
method registry names and titles the methods without importing them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from provenance.fingerprint.methods import METHODS, TITLES, method_title

HEAVY = ("numpy", "scipy", "numba", "celery", "huggingface_hub")


def _loaded_after(code: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # a shell, not Django
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def test_the_command_line_and_its_help_load_none_of_the_heavy_modules():
    assert _loaded_after("import provenance.fingerprint.cli") == []
    assert (
        _loaded_after("from provenance.fingerprint.cli import build_parser\nbuild_parser().format_help()")
        == []
    )


def test_the_registry_names_and_titles_the_methods_without_importing_them():
    code = "from provenance.fingerprint.methods import METHODS, method_title\nlist(METHODS), method_title('attn_std')"
    assert _loaded_after(code) == []


def test_each_method_is_the_one_its_module_registers_with_the_registrys_title():
    assert list(METHODS) == list(TITLES)
    for name, method in METHODS.items():
        assert method.name == name and method.title == TITLES[name] == method_title(name)
    assert METHODS.get("old_method") is None and method_title("old_method") == "old method"
