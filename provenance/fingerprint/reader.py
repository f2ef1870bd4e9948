"""Opening a checkpoint by its path: a safetensors folder or file, or a GGUF file or folder.

The one entry point of the engine's readers: it recognises the format (a GGUF file by its magic,
whatever its name), validates every header (``safetensors_format``, ``gguf_format``) and returns a
``checkpoint.Checkpoint`` (a ``GgufCheckpoint`` for GGUF). Reads headers, ``config.json`` and the
tokenizer's path only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .checkpoint import Checkpoint, tensors_by_name
from .errors import CheckpointFormatError, EmptyCheckpointError
from .gguf_format import is_gguf, open_gguf
from .paths import checked_path, permitted_folders
from .safetensors_format import INDEX_NAME, files_from_index, read_header, read_json


def open_checkpoint(
    path: str | os.PathLike[str],
    *,
    permitted: Iterable[str | os.PathLike[str]] | None = None,
    max_gguf_header_bytes: int | None = None,
) -> Checkpoint:
    """Open and validate a checkpoint folder or a single ``.safetensors`` file.

    Folder resolution: ``model.safetensors.index.json`` if present (every shard it names must exist
    and hold the tensors it is mapped to); else ``model.safetensors``; else every ``*.safetensors``
    file in the folder. ``config.json`` and ``tokenizer.json`` are taken from the folder (for a file
    path, from the file's folder). Reads headers only. Raises CheckpointFormatError subclasses, and
    UnsafePathError for a FIFO, socket or device, or - when ``permitted`` folders are given - for any
    file or folder that resolves (symlinks followed) outside them (see provenance.fingerprint.paths).
    The files' real paths are kept, so later reads open what was checked.

    A GGUF file (recognised by its magic, whatever its name) or a folder holding GGUF files and no
    safetensors is opened by ``gguf_format.open_gguf``: a ``GgufCheckpoint``, which has the same
    reading interface (``tensors``, ``iter_chunks``, ``read_tensor``, ``config``);
    ``max_gguf_header_bytes`` caps the header it reads of each GGUF file (None: no cap).
    """
    p = Path(path)
    allowed = permitted_folders(permitted)
    if not p.exists():
        raise EmptyCheckpointError(f"{p} does not exist", path=str(p))
    if not checked_path(p, allowed, name=str(p), folder_ok=True).is_dir():
        if is_gguf(p):
            return open_gguf(p, allowed, max_header_bytes=max_gguf_header_bytes)
        root, files = p.parent, [read_header(checked_path(p, allowed), p.name)]
    else:
        root = p
        index = p / INDEX_NAME
        if index.exists():
            files = files_from_index(root, index, allowed)
        elif (p / "model.safetensors").exists():
            files = [read_header(checked_path(p / "model.safetensors", allowed), "model.safetensors")]
        else:
            found = sorted(q for q in p.glob("*.safetensors") if q.exists() and not q.is_dir())
            if not found and any(q.suffix == ".gguf" for q in p.iterdir()):
                return open_gguf(p, allowed, max_header_bytes=max_gguf_header_bytes)
            if not found:
                others = sorted(q.name for q in p.iterdir() if q.suffix in (".bin", ".pt", ".pth", ".ckpt"))
                hint = f" (found {', '.join(others[:3])}: convert it to safetensors first)" if others else ""
                raise EmptyCheckpointError(f"no .safetensors weights in folder {p}{hint}", path=str(p))
            files = [read_header(checked_path(q, allowed), q.name) for q in found]
    tensors = tensors_by_name(files)
    config = None
    if (root / "config.json").exists():
        config = read_json(root / "config.json", "model config", allowed)
        if not isinstance(config, dict):
            raise CheckpointFormatError("config.json is not a JSON object", path=str(root / "config.json"))
    tok = root / "tokenizer.json"
    tokenizer = checked_path(tok, allowed) if tok.exists() else None
    return Checkpoint(root, files, tensors, config, tokenizer, permitted=allowed)
