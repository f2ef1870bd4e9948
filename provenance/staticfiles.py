"""The static files storage of production (DEBUG off): WhiteNoise's hashed and compressed storage,
compressing each distinct content once.

``collectstatic`` keeps every file under its own name and under its hashed name, byte for byte the
same unless the manifest rewrote references in it, and WhiteNoise compresses both, with Brotli at its
highest quality: most of ``collectstatic``'s time (drf-spectacular-sidecar's bundles and source maps
alone are about 25 CPU-seconds a copy). Here the second copy gets the first one's result.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import Future

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage as WhiteNoiseStorage


class OnceCompressor(Compressor):
    """WhiteNoise's compressor, remembering what it produced for each content (for one collectstatic:
    the storage makes one per run). WhiteNoise compresses files on several threads, so a content
    being compressed is waited for, not compressed again."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._results: dict[tuple[str, bytes], Future] = {}

    def _once(self, kind: str, data: bytes, compress: Callable[[bytes], bytes]) -> bytes:
        key = (kind, hashlib.sha256(data).digest())
        with self._lock:
            result = self._results.get(key)
            mine = result is None
            if mine:
                result = self._results[key] = Future()
        if mine:
            try:
                result.set_result(compress(data))
            except BaseException as exc:
                result.set_exception(exc)
        return result.result()

    def compress_brotli(self, data: bytes) -> bytes:
        return self._once("br", data, Compressor.compress_brotli)

    def compress_gzip(self, data: bytes) -> bytes:
        return self._once("gz", data, Compressor.compress_gzip)


class CompressedManifestStaticFilesStorage(WhiteNoiseStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        return OnceCompressor(**kwargs)
