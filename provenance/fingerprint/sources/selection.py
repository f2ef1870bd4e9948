"""Choosing the files of a repository the engine reads: its safetensors weights, or one GGUF model
(every part of a split set), with config.json and the tokenizer files; never a pickle (opening one
can run code). Works on the listing's names alone, for a hub and for a git repository alike."""

from __future__ import annotations

import fnmatch
from dataclasses import replace

from .errors import (
    AmbiguousGgufError,
    GgufNotHeldError,
    IncompleteSplitError,
    NoWeightsError,
    OutsideRepositoryError,
)
from .naming import HubSource

SAFETENSORS = ("*.safetensors", "*.safetensors.index.json")
SMALL = (
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "tokenizer.model",
    "special_tokens_map.json", "vocab.json", "merges.txt",
)  # fmt: skip
WANTED = SAFETENSORS + SMALL
PICKLES = ("*.bin", "*.pt", "*.pth", "*.pkl", "*.ckpt")


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    base = name.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(base, p) for p in patterns)


def gguf_models(names: list[str]) -> dict[str, list[str]]:
    """The GGUF models among a repository's files: the name of each model's first file → all its
    files (a split set's parts, or the one file). Split sets by ``gguf_format.split_set_names``."""
    from ..gguf_format import split_set_names  # numpy: not loaded where only the settings read HUBS

    models: dict[str, list[str]] = {}
    for name in sorted(n for n in names if n.endswith(".gguf")):
        parts = split_set_names(name)
        models.setdefault(parts[0], parts)
    return models


def _gguf_wanted(names: list[str], source: object, models: dict[str, list[str]]) -> list[str]:
    """The files of the GGUF model ``source`` names (``source.file``, any part of a split set) or
    of the repository's only GGUF model; SourceError when it is not listed, parts are missing, or
    the repository holds several and none is named."""
    listed = set(names)
    file = getattr(source, "file", "")
    if file:
        if file not in listed or not file.endswith(".gguf"):
            raise GgufNotHeldError(source=str(source), file=file, models=list(models))
        parts = next(p for p in models.values() if file in p)
    elif len(models) == 1:
        parts = next(iter(models.values()))
    else:
        example = str(replace(source, file=next(iter(models)))) if isinstance(source, HubSource) else ""
        raise AmbiguousGgufError(
            source=str(source),
            models=list(models),
            split=any(len(p) > 1 for p in models.values()),
            example=example,
        )
    missing = [p for p in parts if p not in listed]
    if missing:
        raise IncompleteSplitError(source=str(source), parts=parts, missing=missing)
    return parts


def select_files(names: list[str], source: object) -> list[str]:
    """The files of a repository the engine reads (never a pickle): its safetensors weights, or -
    when the source names a GGUF file, or the repository has no safetensors - one GGUF model (see
    ``_gguf_wanted``), with the small files (config.json, tokenizer). SourceError when there are
    no weights - with the reason when the repository holds only pickles - or a name leaves the
    repository."""
    models = gguf_models(names)
    small = [n for n in names if _matches(n, SMALL)]
    if getattr(source, "file", "") or (models and not any(n.endswith(".safetensors") for n in names)):
        wanted = sorted([*_gguf_wanted(names, source, models), *small])
    else:
        wanted = [n for n in names if _matches(n, WANTED) and not _matches(n, PICKLES)]
    if not any(n.endswith((".safetensors", ".gguf")) for n in wanted):
        pickles = sorted(n for n in names if _matches(n, PICKLES))
        raise NoWeightsError(source=str(source), pickles=pickles)
    for name in wanted:
        if name.startswith("/") or ".." in name.split("/"):
            raise OutsideRepositoryError(source=str(source), file=name)
    return wanted
