"""Which files the engine may open: regular files (and folders of them) inside the permitted folders.

The engine opens whatever a checkpoint folder holds, so a caller serving other people (the web
pipeline) passes ``permitted`` - the folders of its model store - and every file is checked with
its symlinks resolved before it is opened: a shard linked to ``/etc/passwd``, or a store folder that
is a link to somewhere else, is refused, while a link to another place inside a permitted folder
keeps working. ``permitted=None`` (the command line, run by the owner of the files) allows any
place. FIFOs, sockets and devices are refused everywhere: reading one can block forever or never end.

Checks read only inode metadata (``realpath`` and ``stat``); nothing here opens a file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import CheckpointFormatError, NotRegularFileError, OutsidePermittedFoldersError

Permitted = tuple[Path, ...] | None


def permitted_folders(folders: Iterable[str | os.PathLike[str]] | None) -> Permitted:
    """``folders`` with their own symlinks resolved (what :func:`checked_path` compares against)."""
    if folders is None:
        return None
    return tuple(Path(os.path.realpath(f)) for f in folders)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def checked_path(
    path: Path, permitted: Permitted, *, name: str | None = None, folder_ok: bool = False
) -> Path:
    """The real path (symlinks resolved) of ``path`` if the engine may open it, else an UnsafePathError.

    ``path`` must exist; it must be a regular file (or a folder, with ``folder_ok``) whose real path
    is inside one of ``permitted`` (already resolved, see :func:`permitted_folders`). The error
    names the file as the caller knows it (``name``, default ``path.name``), never the link target.
    """
    name = name or path.name
    real = Path(os.path.realpath(path))
    if permitted is not None and not any(real == root or real.is_relative_to(root) for root in permitted):
        raise OutsidePermittedFoldersError(
            f"{name} is outside the folders this analysis may read (the model store): it is, or links "
            "to, a file elsewhere; copy the weights into the store instead of linking to them",
            path=str(path),
        )
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        raise CheckpointFormatError(f"cannot read {name}: {exc.strerror or exc}", path=str(path)) from exc
    if stat.S_ISREG(mode) or (folder_ok and stat.S_ISDIR(mode)):
        return real
    what = "a regular file or a folder" if folder_ok else "a regular file"
    raise NotRegularFileError(
        f"{name} is {_kind(mode)}, not {what}: only weight files and folders can be read",
        path=str(path),
    )
