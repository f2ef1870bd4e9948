"""Command line: ``python -m provenance.fingerprint {inspect,compare,synthesize}``.

* ``inspect PATH`` - layout, layers, files, dtypes, size, per-role statistics and the σ series;
* ``compare PATH_A PATH_B [--methods a,b|all] [--json OUT] [--charts DIR] [--null-size N] [--seed S]``
  - every method's score next to its null (mean ± std, z, p) and a plain-language reading (the
  table of ``table.format_report``); ``--charts`` writes the knowledge base's SVG charts; the weight-reading
  methods (``embedding_anchor``, ``neuron_matching``, ...) run when both paths are checkpoints;
  ``--null-cache DIR`` keeps the nulls that depend only on the shapes (``null_cache``; default under
  the user's cache directory, ``--no-null-cache`` computes them afresh);
* ``synthesize OUT_DIR`` - write the synthetic lineage set (see the ``synthetic`` package);
* ``search QUERY --index DIR [--top N] [--json OUT]`` - the checkpoints among the saved fingerprints in DIR that
  share tensors with QUERY or score close to it, ranked, with calibrated scores (``relatives``).

A PATH is a checkpoint folder, a ``.safetensors`` file, a GGUF file (recognised by its magic; any
part of a ``-0000i-of-0000N.gguf`` split set reads the whole set), or a fingerprint saved with
``inspect --save-fingerprint`` (``*.json``); ``compare`` also takes ``hf:Org/Name@revision`` (or
``hub:<name>:Org/Name@rev`` for a hub in the HUBS environment variable; ``...@rev:file.gguf`` for
one GGUF model of a repository holding several), downloaded and verified
into ``--cache-dir`` first (``sources``; HF_TOKEN for gated repositories). Exit codes: 0 ok, 2 bad input (one ``error: ...``
line on stderr, no traceback; parameters out of their ``parameters`` bounds included), 1 internal
failure. Progress goes to stderr unless ``--quiet``: a bar on a terminal, else a line every few
seconds (see ``progress``).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import ENGINE_VERSION
from .errors import FingerprintError
from .methods import METHODS
from .parameters import PARAMETERS
from .parameters import validate as validate_parameters
from .progress import progress_reporter
from .sizes import human_bytes
from .sources import (
    DEFAULT_HUBS,
    SourceError,
    acquire,
    commit_label,
    is_source,
    parse_hubs,
    parse_source,
)

if TYPE_CHECKING:
    from .fingerprint import ModelFingerprint

# Only what --help needs is imported here: NumPy, the statistics, the methods (SciPy, Numba) and the
# report load inside the command that uses them, so `--help` and a mistyped argument answer at once
# (benchmarks/RESULTS_STARTUP.md).

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


def _is_saved_fingerprint(path: str | Path) -> bool:
    p = Path(path)
    return p.is_file() and p.suffix == ".json" and not p.name.endswith(".index.json")


def load_fingerprint(path: str | Path, *, quiet: bool = False) -> ModelFingerprint:
    """A fingerprint from a saved ``*.json`` fingerprint, or by reading the checkpoint (streamed)."""
    from .fingerprint import ModelFingerprint

    p = Path(path)
    if _is_saved_fingerprint(p):
        try:
            return ModelFingerprint.from_json(p.read_text())
        except (ValueError, KeyError, TypeError) as exc:
            raise FingerprintError(f"{p} is not a saved fingerprint: {exc}", path=str(p)) from exc
    if not p.exists():
        raise FingerprintError(f"{p} does not exist", path=str(p))
    from .stats import fingerprint_checkpoint

    with progress_reporter(f"reading {p.name}", quiet=quiet) as progress:
        return fingerprint_checkpoint(p, progress=progress, processes=processes_from_environment())


def processes_from_environment() -> int:
    """``FINGERPRINT_PROCESSES`` (a whole number, at least 1), or the cores this process may use."""
    from .stats import default_processes

    raw = os.environ.get("FINGERPRINT_PROCESSES", "").strip()
    if not raw:
        return default_processes()
    if not raw.isdigit() or int(raw) < 1:
        raise FingerprintError(f"FINGERPRINT_PROCESSES={raw!r} is not a whole number of at least 1")
    return int(raw)


# -- inspect -----------------------------------------------------------------------------------------


def print_inspect(fp: ModelFingerprint, path: str, out: TextIO) -> None:
    import numpy as np

    from .fingerprint import Role

    dtypes = Counter(t.dtype for t in fp.tensors)
    out.write(f"{path}\n")
    out.write(
        f"  layout: {fp.family}   layers: {fp.num_layers}   files: {len(fp.files)}   "
        f"size: {human_bytes(fp.total_bytes)}\n"
    )
    out.write(
        f"  tensors: {len(fp.tensors)} ({', '.join(f'{k} {v}' for k, v in sorted(dtypes.items()))})   "
        f"parts: {len(fp.parts)}\n"
    )
    for f in fp.files:
        out.write(f"    {f.name:<48} {human_bytes(f.size):>10}  sha256 {f.sha256[:16]}…\n")
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


def _cmd_inspect(args: argparse.Namespace) -> int:
    fp = load_fingerprint(args.path, quiet=args.quiet)
    print_inspect(fp, args.path, sys.stdout)
    if args.save_fingerprint:
        Path(args.save_fingerprint).write_text(fp.to_json())
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from .null_cache import FileNullCache
    from .report import compare_fingerprints, resolve_methods
    from .table import format_report

    # Validate everything before the (long) reads.
    methods = resolve_methods(args.methods)
    params = validate_parameters({name: getattr(args, name) for name in PARAMETERS})
    labels = [_label(args.path_a), _label(args.path_b)]
    records: list[dict | None] = [None, None]
    for i, name in enumerate(("path_a", "path_b")):
        path, records[i] = _fetch_source(getattr(args, name), args)
        setattr(args, name, path)
        if records[i] is not None:  # the label names the commit the branch or tag resolved to
            labels[i] = commit_label(labels[i], records[i]["commit"])
    labels = tuple(labels)
    fp_a = load_fingerprint(args.path_a, quiet=args.quiet)
    fp_b = load_fingerprint(args.path_b, quiet=args.quiet)
    panel = [load_fingerprint(p, quiet=args.quiet) for p in args.panel or ()]
    # The weight-reading methods need the checkpoints themselves; saved fingerprints have no weights.
    weights = None
    if not (_is_saved_fingerprint(args.path_a) or _is_saved_fingerprint(args.path_b)):
        from .reader import open_checkpoint

        weights = (open_checkpoint(args.path_a), open_checkpoint(args.path_b))
    report = compare_fingerprints(
        fp_a,
        fp_b,
        methods=methods,
        reference_panel=panel or None,
        weights=weights,
        labels=labels,
        sources=tuple(records),
        null_cache=None if args.no_null_cache else FileNullCache(args.null_cache),
        **params,
    )
    d = report.to_dict()
    sys.stdout.write(format_report(d))
    if args.json:
        Path(args.json).write_text(report.to_json(indent=1))
    if args.charts:
        _write_charts(d, Path(args.charts), labels)
    return EXIT_OK


def _label(path: str) -> str:
    return path if is_source(path) else Path(path).name


def _fetch_source(path: str, args: argparse.Namespace) -> tuple[str, dict | None]:
    """A local path as it is (and no record); ``hf:Org/Name@rev`` downloaded (verified) into
    ``--cache-dir`` first, from the hubs in the HUBS environment variable (default: the public
    Hugging Face hub): the path to read, and what the report records of it (``source_record``)."""
    if not is_source(path):
        return path, None
    import os

    source = parse_source(path)
    try:
        hubs = parse_hubs(os.environ.get("HUBS") or DEFAULT_HUBS)
    except ValueError as exc:
        raise SourceError(f"HUBS: {exc}.") from None
    with progress_reporter(f"downloading {source}", quiet=args.quiet) as progress:
        acquired = acquire(
            source,
            hubs=hubs,
            cache_dir=Path(args.cache_dir),
            token=os.environ.get("HF_TOKEN", ""),
            progress=progress,
        )
    print(
        f"{source}: commit {acquired.commit}, {len(acquired.files)} files in {acquired.folder}",
        file=sys.stderr,
    )
    return str(acquired.path), acquired.record()


def _write_charts(report_dict: dict, folder: Path, labels: tuple[str, str]) -> None:
    """The report's charts as ``DIR/<name>.svg``, the same files the knowledge base serves."""
    from .charts import report_charts

    folder.mkdir(parents=True, exist_ok=True)
    for name, svg in report_charts(report_dict, label_a=labels[0], label_b=labels[1]).items():
        (folder / f"{name}.svg").write_text(svg)


def _cmd_search(args: argparse.Namespace) -> int:
    from .relatives.index import open_folder_index
    from .relatives.text import format_result

    index, skipped = open_folder_index(args.index)
    for line in skipped:
        print(f"note: {line}", file=sys.stderr)
    query = Path(args.query)
    try:
        fp = load_fingerprint(query, quiet=args.quiet)
    except FingerprintError as exc:
        if not _is_saved_fingerprint(query):
            raise
        raise FingerprintError(
            f"{exc}; this search cannot use it: fingerprint the checkpoint again with this engine "
            "(inspect CHECKPOINT --save-fingerprint OUT.json) and search with that",
            path=str(query),
        ) from exc
    exclude = query.name if query.resolve().parent == Path(args.index).resolve() else None
    result = index.search(fp, exclude=exclude)
    print(format_result(result, top=args.top))
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(result.to_dict(), indent=2))
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
    p.add_argument("path_a", help="a checkpoint folder or file, a saved fingerprint, or hf:Org/Name@revision")
    p.add_argument("path_b")
    p.add_argument(
        "--cache-dir",
        default=str(Path.home() / ".cache" / "provenance" / "hub"),
        help="where hf:… checkpoints are downloaded (default: ~/.cache/provenance/hub)",
    )
    p.add_argument("--methods", default="all", help=f"comma-separated: {','.join(METHODS)} (default: all)")
    p.add_argument("--json", metavar="OUT", help="write the full report as JSON")
    for param in PARAMETERS.values():
        p.add_argument(
            param.flag,
            type=int,
            default=param.default,
            help=f"{param.help} {param.minimum}-{param.maximum} (default: {param.default})",
        )
    p.add_argument("--charts", metavar="DIR", help="also write the report's charts to DIR as SVG files")
    p.add_argument(
        "--null-cache",
        metavar="DIR",
        default=None,
        help="where nulls that depend only on the shapes are kept (default: ~/.cache/provenance/nulls, "
        "or $XDG_CACHE_HOME/provenance/nulls)",
    )
    p.add_argument("--no-null-cache", action="store_true", help="compute every null afresh, keep none")
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

    p = sub.add_parser(
        "search", help="rank the known checkpoints closest to one (exact shares, calibrated scores)"
    )
    p.add_argument("query", help="a checkpoint folder or file, or a saved fingerprint (*.json)")
    p.add_argument("--index", required=True, metavar="DIR", help="a folder of saved fingerprints (*.json)")
    p.add_argument("--top", type=int, default=10, help="candidates shown (default: 10)")
    p.add_argument("--json", metavar="OUT", help="also write every candidate, ranked, as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_search)
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
