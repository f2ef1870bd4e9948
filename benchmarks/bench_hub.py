"""Benchmark of acquiring a checkpoint from a hub: our verified download vs a plain ``curl``.

Serves a synthetic checkpoint of ``--size-gb`` from the local test hub (``claims/demo/hub_server.py``,
in a process of its own on 127.0.0.1 - in the client's process it would compete for the GIL -,
files held in memory) and measures:

  ours         ``sources.acquire``: repo info, HEAD per file, streamed download through
               huggingface_hub's ``http_get`` with SHA-256 (and git blob id) computed as bytes arrive,
               verified against the published hash;
  curl+sha256  ``curl`` of the same files, then ``sha256sum`` of each (the hash is a second read).

Both write to the same disk. ``ours`` runs in a child process of its own, so its peak RSS is its
own (``VmHWM``); peak disk is the largest size the cache folder reached (polled every 50 ms).
Usage::

    python benchmarks/bench_hub.py --size-gb 1
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.demo.hub_server import HubRepo, HubServer  # noqa: E402
from provenance.fingerprint import sources  # noqa: E402
from provenance.fingerprint.synthetic import write_checkpoint_of_size  # noqa: E402


def serve(folder: Path, conn) -> None:
    with HubServer() as hub:
        hub.add(HubRepo.from_folder("Org/bench", folder))
        conn.send((hub.port, hub.endpoint, hub.hubs_setting()))
        conn.recv()  # until the benchmark is done


def _acquire(setting: str, cache: Path, conn) -> None:
    hubs = sources.parse_hubs(setting)
    source = sources.hub_source(hub="testhub", repo="Org/bench", revision="main")
    started = time.perf_counter()
    acquired = sources.acquire(source, hubs=hubs, cache_dir=cache)
    elapsed = time.perf_counter() - started
    conn.send((elapsed, len(acquired.files), _peak_rss_bytes()))


def _peak_rss_bytes() -> int:
    """VmHWM of this process: ``ru_maxrss`` would carry the parent's peak over fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[:3]
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
            # A fresh interpreter (spawn): a forked child would count the pages of this process,
            # which holds the files for the comparison below, in its RSS.
            spawn = multiprocessing.get_context("spawn")
            mine, theirs = spawn.Pipe()
            worker = spawn.Process(target=_acquire, args=(setting, root / "cache", theirs))
            worker.start()
            peak_disk = 0
            while worker.is_alive():
                peak_disk = max(peak_disk, _folder_bytes(root / "cache"))
                time.sleep(0.05)
            ours, n_files, peak_rss = mine.recv()
            worker.join()

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
    print(f"files: {n_files}, {total / 1e9:.2f} GB; load before: {load}")
    print(f"ours (verified while downloading): {ours:.2f} s ({rate:.0f} MB/s)")
    print(f"curl + sha256sum:                  {curl:.2f} s ({total / curl / 1e6:.0f} MB/s)")
    print(f"ratio ours / curl+sha256sum:       {ours / curl:.2f}")
    print(
        f"ours: peak RSS {peak_rss / 1e6:.0f} MB, peak disk {peak_disk / 1e9:.2f} GB ({peak_disk / total:.2f} x the size)"
    )


if __name__ == "__main__":
    main()
