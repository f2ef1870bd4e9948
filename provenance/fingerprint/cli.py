"""Command line: ``python -m provenance.fingerprint {inspect,compare,synthesize}``.

* ``inspect PATH`` - layout, layers, files, dtypes, size, per-role statistics and the σ series;
* ``compare PATH_A PATH_B [--methods a,b|all] [--json OUT] [--null-size N]`` - every method's
  score next to its null (mean ± std, z, p) and a plain-language reading; the weight-reading
  methods (``embedding_anchor``, ``neuron_matching``, ...) run when both paths are checkpoints;
* ``synthesize OUT_DIR`` - write the synthetic lineage set (see the ``synthetic`` package).

A PATH is a checkpoint folder, a ``.safetensors`` file, or a fingerprint saved with
``inspect --save-fingerprint`` (``*.json``). Exit codes: 0 ok, 2 bad input (one ``error: ...``
line on stderr, no traceback), 1 internal failure. Progress bars go to stderr, only on a terminal
and without ``--quiet``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from . import ENGINE_VERSION
from .calibration import DEFAULT_NULL_SIZE
from .errors import FingerprintError
from .fingerprint import ModelFingerprint, Role
from .methods import METHODS

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _is_saved_fingerprint(path: str | Path) -> bool:
    p = Path(path)
    return p.is_file() and p.suffix == ".json" and not p.name.endswith(".index.json")


def load_fingerprint(path: str | Path, *, quiet: bool = False) -> ModelFingerprint:
    """A fingerprint from a saved ``*.json`` fingerprint, or by reading the checkpoint (streamed)."""
    p = Path(path)
    if _is_saved_fingerprint(p):
        try:
            return ModelFingerprint.from_json(p.read_text())
        except (ValueError, KeyError, TypeError) as exc:
            raise FingerprintError(f"{p} is not a saved fingerprint: {exc}", path=str(p)) from exc
    if not p.exists():
        raise FingerprintError(f"{p} does not exist", path=str(p))
    from tqdm import tqdm

    from .stats import fingerprint_checkpoint

    with tqdm(
        total=0,
        unit="B",
        unit_scale=True,
        desc=p.name,
        file=sys.stderr,
        leave=False,
        disable=quiet or not sys.stderr.isatty(),
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return fingerprint_checkpoint(p, progress=progress)


# -- inspect -----------------------------------------------------------------------------------------


def print_inspect(fp: ModelFingerprint, path: str, out: TextIO) -> None:
    dtypes = Counter(t.dtype for t in fp.tensors)
    out.write(f"{path}\n")
    out.write(
        f"  layout: {fp.family}   layers: {fp.num_layers}   files: {len(fp.files)}   "
        f"size: {_human(fp.total_bytes)}\n"
    )
    out.write(
        f"  tensors: {len(fp.tensors)} ({', '.join(f'{k} {v}' for k, v in sorted(dtypes.items()))})   "
        f"parts: {len(fp.parts)}\n"
    )
    for f in fp.files:
        out.write(f"    {f.name:<48} {_human(f.size):>10}  sha256 {f.sha256[:16]}…\n")
    out.write(f"  content hash: {fp.content_hash}\n")
    out.write(f"  tokenizer sha256: {fp.tokenizer_sha256 or '-'}\n")
    bad = [(p.key, p.nan_count, p.inf_count) for p in fp.parts if p.nan_count or p.inf_count]
    if bad:
        out.write(
            f"  WARNING: {len(bad)} parts hold NaN/Inf, e.g. {bad[0][0]} (NaN {bad[0][1]}, Inf {bad[0][2]})\n"
        )
    out.write("\n  role      parts   experts   mean σ      min σ       max σ       mean\n")
    by_role: dict[str, list] = {}
    for p in fp.parts:
        by_role.setdefault(p.role or "-", []).append(p)
    for role, parts in by_role.items():
        sig = np.array([p.std_sample for p in parts], dtype=np.float64)
        experts = len({p.expert for p in parts if p.expert is not None})
        out.write(
            f"  {role:<9} {len(parts):>5}   {experts or '-':>7}   {np.nanmean(sig):<10.5f}  "
            f"{np.nanmin(sig):<10.5f}  {np.nanmax(sig):<10.5f}  {np.mean([p.mean for p in parts]):+.2e}\n"
        )
    series = {}
    for role in Role.ATTENTION:
        try:
            series[role] = fp.sigma_series(role)
        except KeyError:
            continue
    if series:
        out.write(
            "\n  σ series (sample std per layer, HonestAGI's input)\n  layer  "
            + "".join(f"{r.upper():>10}" for r in series)
            + "\n"
        )
        for i in range(fp.num_layers):
            out.write(f"  {i:>5}  " + "".join(f"{s[i]:>10.5f}" for s in series.values()) + "\n")


# -- compare -----------------------------------------------------------------------------------------


def print_report(report_dict: dict, out: TextIO) -> None:
    a, b = report_dict["inputs"]["a"], report_dict["inputs"]["b"]
    out.write(f"A: {a['label']}  ({a['family']}, {a['num_layers']} layers, {_human(a['total_bytes'])})\n")
    out.write(f"B: {b['label']}  ({b['family']}, {b['num_layers']} layers, {_human(b['total_bytes'])})\n\n")
    out.write(f"{'method':<17}{'score':>9}   {'null mean ± std':<20}{'z':>9}{'p':>8}   null\n")
    for name, r in report_dict["results"].items():
        c = r.get("calibration") or {}
        null = "-" if c.get("mean") is None else f"{c['mean']:.3f} ± {c['std']:.3f}"
        z = "-" if c.get("z") is None else f"{c['z']:.1f}"
        p = "-" if c.get("p") is None else (f"{c['p']:.3f}" if c["p"] >= 1e-3 else f"{c['p']:.0e}")
        if c.get("log10_p") is not None and c["log10_p"] < -300:  # a Fisher p below float range
            p = f"1e{c['log10_p']:.0f}"
        score = "-" if r["score"] is None else f"{r['score']:.3f}"
        out.write(
            f"{name:<17}{score:>9}   {null:<20}{z:>9}{p:>8}   {c.get('size', 0)} {c.get('source', '')}\n"
        )
    for name, why in report_dict["skipped"].items():
        out.write(f"{name:<17}{'n/a':>9}   {why}\n")
    out.write("\n")
    for name, r in report_dict["results"].items():
        out.write(
            textwrap.fill(r["reading"], 100, initial_indent=f"{name}: ", subsequent_indent="    ") + "\n"
        )
    for note in report_dict.get("notes", []):
        out.write(textwrap.fill(note, 100, initial_indent="note: ", subsequent_indent="    ") + "\n")
    out.write(
        "\n" + textwrap.fill(f"Summary ({report_dict['verdict']}): {report_dict['summary']}", 100) + "\n"
    )


def _cmd_inspect(args: argparse.Namespace) -> int:
    fp = load_fingerprint(args.path, quiet=args.quiet)
    print_inspect(fp, args.path, sys.stdout)
    if args.save_fingerprint:
        Path(args.save_fingerprint).write_text(fp.to_json())
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from .report import compare_fingerprints, resolve_methods

    methods = resolve_methods(args.methods)  # validate before the (long) reads
    fp_a = load_fingerprint(args.path_a, quiet=args.quiet)
    fp_b = load_fingerprint(args.path_b, quiet=args.quiet)
    panel = [load_fingerprint(p, quiet=args.quiet) for p in args.panel or ()]
    # The weight-reading methods need the checkpoints themselves; saved fingerprints have no weights.
    weights = None
    if not (_is_saved_fingerprint(args.path_a) or _is_saved_fingerprint(args.path_b)):
        from .safetensors_format import open_checkpoint

        weights = (open_checkpoint(args.path_a), open_checkpoint(args.path_b))
    report = compare_fingerprints(
        fp_a,
        fp_b,
        methods=methods,
        null_size=args.null_size,
        seed=args.seed,
        reference_panel=panel or None,
        weights=weights,
        labels=(Path(args.path_a).name, Path(args.path_b).name),
    )
    d = report.to_dict()
    print_report(d, sys.stdout)
    if args.json:
        Path(args.json).write_text(report.to_json(indent=1))
    return EXIT_OK


def _cmd_synthesize(args: argparse.Namespace) -> int:
    from .synthetic import build_lineage_set

    paths = build_lineage_set(args.out_dir, size=args.size, seed=args.seed, dtype=args.dtype)
    for name, path in paths.items():
        print(f"{name:<26}{path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m provenance.fingerprint", description="Fingerprint model checkpoints and compare them."
    )
    parser.add_argument("--version", action="version", version=f"provenance.fingerprint {ENGINE_VERSION}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("inspect", help="layout, sizes, dtypes and statistics of one checkpoint")
    p.add_argument("path")
    p.add_argument("--save-fingerprint", metavar="OUT.json", help="also write the fingerprint as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_inspect)

    p = sub.add_parser("compare", help="compare two checkpoints with calibrated methods")
    p.add_argument("path_a")
    p.add_argument("path_b")
    p.add_argument("--methods", default="all", help=f"comma-separated: {','.join(METHODS)} (default: all)")
    p.add_argument("--json", metavar="OUT", help="write the full report as JSON")
    p.add_argument("--null-size", type=int, default=DEFAULT_NULL_SIZE, help="synthetic null pairs per method")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic nulls")
    p.add_argument(
        "--panel",
        action="append",
        metavar="PATH",
        help="a known-unrelated reference model (repeat); same-depth pairs form a second null",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser(
        "synthesize", help="write the synthetic lineage set (base and related/unrelated models)"
    )
    p.add_argument("out_dir")
    p.add_argument("--size", default="tiny", choices=["tiny", "small"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dtype", default="BF16", choices=["BF16", "F16", "F32"])
    p.set_defaults(func=_cmd_synthesize)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FingerprintError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception:  # noqa: BLE001 - the last line of defence: say it is our fault, keep the trace
        traceback.print_exc(file=sys.stderr)
        print(
            "internal error: the engine failed on this input; please report it with the trace above",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
