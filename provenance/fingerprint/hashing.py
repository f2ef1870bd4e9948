"""The SHA-256 of a file, read in blocks: one function for the engine and the knowledge base.

Memory: one block (1 MiB by default). hashlib releases the GIL while it hashes a block of more than
2 KiB, so a thread running this overlaps with NumPy work in another (see ``stats``).
"""

from __future__ import annotations

import hashlib
import os

SHA256_BLOCK_BYTES = 2**20


def sha256_file(path: str | os.PathLike[str], block_bytes: int = SHA256_BLOCK_BYTES) -> str:
    """The hexadecimal SHA-256 of the file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(block_bytes):
            h.update(block)
    return h.hexdigest()
