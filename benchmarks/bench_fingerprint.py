"""Benchmark of the statistics pass against loading everything and against a plain read.

Builds (once, reused) a synthetic bf16 Llama-style checkpoint of ``--size-gb`` in ~1 GB shards, then
measures, each in a fresh subprocess so peak RSS is the run's own:

  ours       ``fingerprint_checkpoint(processes=FINGERPRINT_PROCESSES or the cores)``: SHA-256 of
             every file, BLAKE3 of every tensor, all per-part statistics, samples; streamed in 16 MB
             chunks, the files shared out between worker processes;
  ours-1proc the same pass in one process;
  reference  what public reference code does: ``safetensors.numpy.load_file`` every shard into
             memory at once, then ``np.std`` (float32 upcast, ddof=1) per tensor. It hashes nothing
             and computes one statistic, so it does strictly less work than ours;
  read       a plain read of every file front to back in 16 MB blocks into one buffer;
  openssl    one ``openssl dgst -sha256`` process over the files (the file digest we must publish;
             one SHA-256 stream cannot be split across cores).

The **floor** is the slower of read and openssl in the same cache state; "÷ floor" is our throughput
as a share of it (target ≥ 0.8 cold). Peak RSS is per process: for ``ours`` the largest ``VmHWM`` of
the run's process and of every worker process it started (sampled every 0.1 s while they live).

With ``--cache cold`` (the default when running as root) the page cache is dropped before each
run, which is the realistic case for checkpoints larger than memory; ``--cache warm`` reads once
first and measures from memory. Usage::

    python benchmarks/bench_fingerprint.py --size-gb 2
    python benchmarks/bench_fingerprint.py --size-gb 8 --cache both

Memory of the builder: one 64 MB pool of random values, written in slices.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
D_MODEL, D_FF, HEADS, KV_HEADS, VOCAB = 2048, 5632, 16, 4, 32000
BLOCK = 16 * 2**20


# --- building the checkpoint ------------------------------------------------------------------
def llama_shapes(size_bytes: int) -> list[tuple[str, tuple[int, ...]]]:
    """Tensor names and shapes of a Llama-style model of about ``size_bytes`` in bf16."""
    hd = D_MODEL // HEADS
    per_layer = [
        ("self_attn.q_proj.weight", (D_MODEL, D_MODEL)),
        ("self_attn.k_proj.weight", (KV_HEADS * hd, D_MODEL)),
        ("self_attn.v_proj.weight", (KV_HEADS * hd, D_MODEL)),
        ("self_attn.o_proj.weight", (D_MODEL, D_MODEL)),
        ("mlp.gate_proj.weight", (D_FF, D_MODEL)),
        ("mlp.up_proj.weight", (D_FF, D_MODEL)),
        ("mlp.down_proj.weight", (D_MODEL, D_FF)),
        ("input_layernorm.weight", (D_MODEL,)),
        ("post_attention_layernorm.weight", (D_MODEL,)),
    ]
    layer_bytes = 2 * sum(int(np.prod(s)) for _, s in per_layer)
    embed_bytes = 2 * 2 * VOCAB * D_MODEL
    layers = max(1, math.ceil((size_bytes - embed_bytes) / layer_bytes))
    out = [("model.embed_tokens.weight", (VOCAB, D_MODEL))]
    for i in range(layers):
        out += [(f"model.layers.{i}.{n}", s) for n, s in per_layer]
    return out + [("model.norm.weight", (D_MODEL,)), ("lm_head.weight", (VOCAB, D_MODEL))]


def build(folder: Path, size_gb: float, shard_gb: float) -> None:
    """Write the checkpoint unless ``folder/.complete`` says it is already there."""
    if (folder / ".complete").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    shapes = llama_shapes(int(size_gb * 1e9))
    shards: list[list[tuple[str, tuple[int, ...]]]] = [[]]
    used = 0
    for name, shape in shapes:
        nbytes = 2 * int(np.prod(shape))
        if shards[-1] and used + nbytes > shard_gb * 1e9:
            shards.append([])
            used = 0
        shards[-1].append((name, shape))
        used += nbytes
    rng = np.random.default_rng(0)
    pool = ((rng.standard_normal(32 * 2**20, dtype=np.float32) * 0.02).view(np.uint32) >> 16).astype(
        np.uint16
    )
    pool_bytes = pool.tobytes()
    weight_map = {}
    for k, shard in enumerate(shards):
        fname = f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
        header, pos = {}, 0
        for name, shape in shard:
            n = 2 * int(np.prod(shape))
            header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [pos, pos + n]}
            weight_map[name] = fname
            pos += n
        h = json.dumps(header).encode()
        h += b" " * (-len(h) % 8)
        with open(folder / fname, "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h)
            for _name, shape in shard:
                left = 2 * int(np.prod(shape))
                start = int(rng.integers(0, len(pool_bytes) // 2)) * 2
                while left:
                    piece = pool_bytes[start : start + min(left, BLOCK)]
                    f.write(piece)
                    left -= len(piece)
                    start = 0 if start + len(piece) >= len(pool_bytes) else start + len(piece)
        print(f"  wrote {fname}", file=sys.stderr)
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    (folder / "config.json").write_text(
        json.dumps(
            {
                "model_type": "llama",
                "hidden_size": D_MODEL,
                "intermediate_size": D_FF,
                "num_attention_heads": HEADS,
                "num_key_value_heads": KV_HEADS,
                "num_hidden_layers": len(shapes) // 9,
                "vocab_size": VOCAB,
            }
        )
    )
    (folder / ".complete").write_text("ok\n")


# --- the three runs (each in its own process) ---------------------------------------------------
def shards_of(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.safetensors"))


def run_ours(folder: Path, processes: int | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from provenance.fingerprint.stats import default_processes, fingerprint_checkpoint

    if processes is None:
        processes = int(os.environ.get("FINGERPRINT_PROCESSES") or default_processes())
    chunk = os.environ.get("BENCH_CHUNK_MB")  # set by --chunk-mb; default: the engine's own
    fp = fingerprint_checkpoint(
        folder, processes=processes, **({"chunk_bytes": int(float(chunk) * 2**20)} if chunk else {})
    )
    return fp.total_bytes


def run_ours_one_process(folder: Path) -> int:
    return run_ours(folder, processes=1)


def run_openssl(folder: Path) -> int:
    subprocess.run(
        ["openssl", "dgst", "-sha256", *map(str, shards_of(folder))], check=True, capture_output=True
    )
    return sum(p.stat().st_size for p in shards_of(folder))


def run_reference(folder: Path) -> int:
    import ml_dtypes  # noqa: F401 - registers "bfloat16" with numpy, which load_file needs for BF16
    from safetensors.numpy import load_file

    state: dict[str, np.ndarray] = {}
    for shard in shards_of(folder):
        state.update(load_file(shard))
    stds = {name: float(np.std(t.astype(np.float32), ddof=1)) for name, t in state.items()}
    assert len(stds) == len(state)
    return sum(p.stat().st_size for p in shards_of(folder))


def run_read(folder: Path) -> int:
    buf = memoryview(bytearray(BLOCK))
    total = 0
    for shard in shards_of(folder):
        with open(shard, "rb", buffering=0) as f:
            while k := f.readinto(buf):
                total += k
    return total


RUNS = {
    "ours": run_ours,
    "ours-1proc": run_ours_one_process,
    "reference": run_reference,
    "read": run_read,
    "openssl": run_openssl,
}


def child(mode: str, folder: Path) -> None:
    peaks: dict[int, float] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=sample_descendants, args=(peaks, stop), daemon=True)
    sampler.start()
    start = time.perf_counter()
    nbytes = RUNS[mode](folder)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    own = resource.getrusage(resource.RUSAGE_SELF)  # CPU of all threads of this process
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # openssl; the pool's workers are the forkserver's
    print(
        json.dumps(
            {
                "mode": mode,
                "wall": wall,
                "bytes": nbytes,
                "peak_rss_mb": max([peak_rss_mb(), *peaks.values()]),
                "processes": 1 + len(peaks),
                "cpu": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + sum(_cpu.values()),
            }
        )
    )


_cpu: dict[int, float] = {}  # CPU seconds of each descendant, last seen


def sample_descendants(peaks: dict[int, float], stop: threading.Event) -> None:
    """Every 0.1 s, the VmHWM (and CPU) of every live descendant of this process except the
    forkserver itself (which only forks): the worker processes of a parallel pass, openssl."""
    me = os.getpid()
    tick = os.sysconf("SC_CLK_TCK")
    while not stop.wait(0.1):
        parents = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(d.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
        for pid, (ppid, cpu) in parents.items():
            chain, p = [], ppid
            while p and p != me and p in parents:
                chain.append(p)
                p = parents[p][0]
            if p != me or not chain:  # not a grandchild or deeper (children are the forkserver/openssl)
                continue
            try:
                status = (Path("/proc") / str(pid) / "status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = max(peaks.get(pid, 0.0), int(line.split()[1]) / 1024)
            _cpu[pid] = cpu


def peak_rss_mb() -> float:
    """VmHWM, the peak resident set of this process image. Not ``ru_maxrss``: Linux carries that over
    from the parent through fork and exec, so a child would report the driver's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def measure(mode: str, folder: Path, cache: str) -> dict:
    if cache == "cold" and not drop_caches():
        raise SystemExit("cannot drop the page cache (needs root): use --cache warm")
    if cache == "warm":
        run_read(folder)
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(folder)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    """Markdown table per (run, cache): best and median wall, median CPU (user + system, all threads
    and worker processes), GB/s of the best wall, peak RSS per process, wall ÷ reference, and
    throughput ÷ floor (the slower of read and openssl in the same cache state; best walls)."""
    runs: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        runs.setdefault((r["mode"], r["cache"]), []).append(r)

    def median(key: tuple[str, str], field: str) -> float:
        values = sorted(x[field] for x in runs[key])
        return values[len(values) // 2]

    lines = [
        "| run | cache | processes | best wall (s) | median (s) | CPU (s) | GB/s | peak RSS per process (MB) "
        "| wall ÷ reference | GB/s ÷ floor |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    best = {key: min(rs, key=lambda x: x["wall"]) for key, rs in runs.items()}
    for (mode, cache), r in best.items():
        ref = ("reference", cache)
        floors = [best[k]["wall"] for k in (("read", cache), ("openssl", cache)) if k in best]
        gbs = r["bytes"] / r["wall"] / 1e9
        vs_ref = f"{r['wall'] / best[ref]['wall']:.2f}" if ref in best else "-"
        vs_floor = f"{max(floors) / r['wall']:.2f}" if floors else "-"
        rss = max(x["peak_rss_mb"] for x in runs[(mode, cache)])
        procs = max(x.get("processes", 1) for x in runs[(mode, cache)])
        lines.append(
            f"| {mode} | {cache} | {procs} | {r['wall']:.2f} | {median((mode, cache), 'wall'):.2f} "
            f"| {median((mode, cache), 'cpu'):.2f} | {gbs:.2f} | {rss:.0f} | {vs_ref} | {vs_floor} |"
        )
    return "\n".join(lines)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-gb", type=float, default=2.0)
    ap.add_argument("--shard-gb", type=float, default=1.0)
    ap.add_argument(
        "--dir", type=Path, default=None, help="where to build (default var/bench/llama-<size>gb)"
    )
    ap.add_argument("--cache", choices=["cold", "warm", "both"], default="cold")
    ap.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated, of {', '.join(RUNS)}")
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs of each, interleaved; the table shows the best"
    )
    ap.add_argument("--rows", type=Path, default=None, help="also write every run's figures as JSON")
    ap.add_argument("--chunk-mb", type=float, default=None, help="chunk size of our pass (tuning)")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], Path(args.child[1]))
    if args.chunk_mb:
        os.environ["BENCH_CHUNK_MB"] = str(args.chunk_mb)
    folder = args.dir or ROOT / "var" / "bench" / f"llama-{args.size_gb:g}gb"
    print(f"building/reusing {folder}", file=sys.stderr)
    build(folder, args.size_gb, args.shard_gb)
    size = sum(p.stat().st_size for p in shards_of(folder))
    caches = ["cold", "warm"] if args.cache == "both" else [args.cache]
    load_before = f"{os.getloadavg()[0]:.1f}"
    rows = []
    for cache in caches:
        for _ in range(args.repeat):
            for mode in args.runs.split(","):
                r = measure(mode, folder, cache) | {"cache": cache}
                print(
                    f"  {mode:9} {cache}: {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, {r['peak_rss_mb']:.0f} MB",
                    file=sys.stderr,
                )
                rows.append(r)
    print(
        f"\n{size / 1e9:.2f} GB in {len(shards_of(folder))} shards; {cpu_name()}, {os.cpu_count()} cores, "
        f"{args.repeat} runs each; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"load average before {load_before}, after {os.getloadavg()[0]:.1f}\n"
    )
    print(table(rows))
    if args.rows:
        args.rows.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
