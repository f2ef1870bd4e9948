"""Benchmark of acquiring a checkpoint from a hub: our verified download vs a plain ``curl``.

Serves a synthetic checkpoint of ``--size-gb`` from the local test hub (``tests/hub_server.py``,
in a process of its own on 127.0.0.1 - in the client's process it would compete for the GIL -,
files held in memory) and measures:

  ours         ``sources.acquire``: repo info, HEAD per file, streamed download through
               huggingface_hub's ``http_get`` with SHA-256 (and git blob id) computed as bytes arrive,
               verified against the published hash;
  curl+sha256  ``curl`` of the same files, then ``sha256sum`` of each (the hash is a second read).

Both write to the same disk. Usage::

    python benchmarks/bench_hub.py --size-gb 1
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provenance.fingerprint import sources  # noqa: E402
from provenance.fingerprint.synthetic import write_checkpoint_of_size  # noqa: E402
from tests.hub_server import HubRepo, HubServer  # noqa: E402


def serve(folder: Path, conn) -> None:
    with HubServer() as hub:
        hub.add(HubRepo.from_folder("Org/bench", folder))
        conn.send((hub.port, hub.endpoint, hub.hubs_setting()))
        conn.recv()  # until the benchmark is done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        root = Path(tmp)
        folder = write_checkpoint_of_size(root / "model", int(args.size_gb * 1e9), max_shard_bytes=256 << 20)
        repo = HubRepo.from_folder("Org/bench", folder)
        total = sum(len(d) for d in repo.files.values())
        parent, child = multiprocessing.Pipe()
        server = multiprocessing.Process(target=serve, args=(folder, child))
        server.start()
        port, endpoint, setting = parent.recv()
        try:
            hubs = sources.parse_hubs(setting)
            source = sources.hub_source(hub="testhub", repo="Org/bench", revision="main")
            started = time.perf_counter()
            acquired = sources.acquire(source, hubs=hubs, cache_dir=root / "cache")
            ours = time.perf_counter() - started

            started = time.perf_counter()
            plain = root / "plain"
            plain.mkdir()
            for name, data in repo.files.items():
                if repo.is_lfs(name):
                    url = f"http://localhost:{port}/lfs/{hashlib.sha256(data).hexdigest()}"
                else:
                    url = f"{endpoint}/Org/bench/resolve/main/{name}"
                subprocess.run(["curl", "-sf", "-o", str(plain / name), url], check=True)
                subprocess.run(["sha256sum", str(plain / name)], check=True, capture_output=True)
            curl = time.perf_counter() - started
        finally:
            parent.send("done")
            server.join()
        shutil.rmtree(root / "cache")
    rate = total / ours / 1e6
    print(f"files: {len(acquired.files)}, {total / 1e9:.2f} GB")
    print(f"ours (verified while downloading): {ours:.2f} s ({rate:.0f} MB/s)")
    print(f"curl + sha256sum:                  {curl:.2f} s ({total / curl / 1e6:.0f} MB/s)")
    print(f"ratio ours / curl+sha256sum:       {ours / curl:.2f}")


if __name__ == "__main__":
    main()
