"""A checkpoint's closest known relatives (issue 24): the engine's lineage search over the index rows.

``checkpoint_relatives`` searches with the checkpoint's own stored entry (itself excluded; its
fingerprint file is not read again), as the engine's ``store.ScreenIndex`` does: every entry's screening
form held in memory (``load_index``: kept per process while the table is unchanged, ~5 KB per
checkpoint), the exact shares found by one indexed lookup of the query's digest prefixes in
``RelativesDigest`` (whatever the index size), and the per-layer sketches read only for the candidates
the screen keeps (one query). Readers (``preview=False``) get only the relatives backed by a
public succeeded report comparing the two checkpoints (``claims.models.visibility``), each with that
report; the screening alone never names a checkpoint to a reader. Editors get every candidate with
its tier and calibrated scores, and the latest report between the two if there is one.

An entry of another signature version is never compared: it is left out with a sentence (``manage.py
relatives_index`` computes it again). When a checkpoint has several kept fingerprints, its newest
entry stands for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max, Min, Q

from claims.models import Checkpoint, FingerprintReport, RelativesDigest, RelativesEntry
from claims.models.visibility import visible
from claims.selectors.records import REPORT_RELATED, checkpoint_queryset
from provenance.fingerprint.relatives.index import Entry, OutdatedSignature
from provenance.fingerprint.relatives.search import Candidate, SearchResult
from provenance.fingerprint.relatives.signature import SIGNATURE_VERSION
from provenance.fingerprint.relatives.store import ScreenIndex, ScreenRow, unpack
from provenance.fingerprint.sources import HubSource, hub_source, parse_source
from provenance.fingerprint.sources.errors import InvalidSourceError

REBUILD = "run `manage.py relatives_index` to compute it again"


@dataclass
class Relative:
    checkpoint: Checkpoint
    candidate: Candidate
    report: FingerprintReport | None  # readers: the public succeeded report; editors: the latest


@dataclass
class Relatives:
    checkpoint: Checkpoint
    relatives: list[Relative] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sentences: what could not be compared, and why

    @property
    def result(self) -> SearchResult:
        """The engine's result with candidates named as the checkpoints are now (text rendering)."""
        return SearchResult([r.candidate for r in self.relatives], list(self.notes))


@dataclass
class Loaded:
    """Every checkpoint's newest index entry (its screening form; ``index.keys``: the rows' ids), and
    the checkpoints whose newest is of another version or not in the current form."""

    index: ScreenIndex
    outdated: set[int]

    def own(self, checkpoint: Checkpoint) -> tuple[Entry | None, list[str]]:
        """``checkpoint``'s entry (None if it has none to compare) and the sentences to say."""
        notes = []
        if checkpoint.pk in self.outdated:
            notes.append(
                f"This checkpoint's index entry is of an older signature version or form than this "
                f"engine's ({SIGNATURE_VERSION}), so it is not compared: {REBUILD}."
            )
        others = len(self.outdated - {checkpoint.pk})
        if others:
            notes.append(
                f"{others} indexed fingerprint(s) have a signature of another version and were left out: "
                f"{REBUILD}."
            )
        i = self.index.ids.get(str(checkpoint.pk))
        return (None if i is None else _entry(self.index.keys[i], str(checkpoint.pk))), notes


def _entry(pk: int, name: str) -> Entry:
    """One stored entry, whole (two queries: its row, its digest rows in order)."""
    meta, sketch = RelativesEntry.objects.values_list("entry", "sketch").get(pk=pk)
    rows = (
        RelativesDigest.objects.filter(entry_id=pk)
        .order_by("position")
        .values_list("prefix", "nbytes", "layer")
    )
    prefixes, nbytes, layers = zip(*rows, strict=True) if rows else ((), (), ())
    return unpack(name, meta, bytes(sketch), prefixes, nbytes, layers)


DIGEST_LOOKUP = 5000
"""Prefixes per lookup query (SQLite allows 32,766 parameters; a checkpoint has 300-2,000 in general)."""


def _matching_digests(entry: Entry) -> list[tuple[int, int, int | None]]:
    """The digest rows (prefix, entry id, layer) of every indexed entry sharing a prefix with ``entry``:
    one index lookup per prefix (``relatives_digest_prefix``), one query per ``DIGEST_LOOKUP``
    prefixes. Written in SQL: the ORM spends longer compiling a 2,000-value ``IN`` than the database
    answering it (PostgreSQL gets the prefixes as one array parameter)."""
    prefixes = sorted(set(entry.tensors.keys.view("int64").tolist()))
    table = RelativesDigest._meta.db_table
    found: list[tuple[int, int, int | None]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(prefixes), DIGEST_LOOKUP):
            chunk = prefixes[start : start + DIGEST_LOOKUP]
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT prefix, entry_id, layer FROM {table} WHERE prefix = ANY(%s)", [chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT prefix, entry_id, layer FROM {table} WHERE prefix IN ({marks})", chunk
                )
            found += cursor.fetchall()
    return found


def _sketches(pks: list[int]) -> list[bytes]:
    """The stored sketches of these entries, in order (one query)."""
    rows = dict(RelativesEntry.objects.filter(pk__in=pks).values_list("pk", "sketch"))
    return [bytes(rows[pk]) for pk in pks]


_LOADED: dict[tuple, Loaded] = {}


def load_index() -> Loaded:
    """Every checkpoint's newest entry in the engine's screen, a newer entry of a checkpoint replacing
    its older: kept in this process while the table is unchanged (its row count, newest id, newest
    write and signature versions: one aggregate query), else read again (one query, streamed)."""
    state = RelativesEntry.objects.aggregate(
        n=Count("pk"),
        last=Max("pk"),
        written=Max("computed_at"),
        low=Min("signature_version"),
        high=Max("signature_version"),
    )
    key = tuple(state.values())
    if key in _LOADED:
        return _LOADED[key]
    _LOADED.clear()  # the old screen's memory is given back before the new one is read
    newest: dict[str, tuple[int, ScreenRow]] = {}
    outdated = set()
    rows = RelativesEntry.objects.order_by("computed_at", "pk").values_list(
        "pk", "checkpoint_id", "signature_version", "screen"
    )
    for pk, checkpoint_id, version, screen in rows.iterator(chunk_size=2000):
        name = str(checkpoint_id)
        try:
            if version != SIGNATURE_VERSION or screen is None:
                raise OutdatedSignature(name)
            newest[name] = (pk, ScreenRow.from_bytes(bytes(screen)))
        except (OutdatedSignature, ValueError):
            newest.pop(name, None)
            outdated.add(checkpoint_id)
            continue
        outdated.discard(checkpoint_id)
    index = ScreenIndex((name, pk, screen) for name, (pk, screen) in newest.items())
    _LOADED[key] = Loaded(index, outdated)
    return _LOADED[key]


def _reports(checkpoint: Checkpoint, *, preview: bool) -> dict[int, FingerprintReport]:
    """Other checkpoint's id → the report comparing it with ``checkpoint``: readers' public succeeded
    one, editors' latest of any status (one query)."""
    pairs = Q(checkpoint_a=checkpoint) | Q(checkpoint_b=checkpoint)
    reports = visible(FingerprintReport.objects.select_related(*REPORT_RELATED), preview=preview).filter(
        pairs
    )
    if not preview:
        reports = reports.filter(status=FingerprintReport.Status.SUCCEEDED)
    out: dict[int, FingerprintReport] = {}
    for report in reports.order_by("requested_at", "pk"):  # the latest wins
        other = report.checkpoint_b_id if report.checkpoint_a_id == checkpoint.pk else report.checkpoint_a_id
        out[other] = report
    return out


def checkpoint_relatives(
    *, checkpoint: Checkpoint, preview: bool = False, limit: int = 20, loaded: Loaded | None = None
) -> Relatives:
    """``checkpoint``'s closest known relatives, best first (see the module docstring); ``loaded``: the
    index already loaded (``load_index``), to search it for several checkpoints."""
    found = Relatives(checkpoint)
    loaded = loaded or load_index()
    index = loaded.index
    own, notes = loaded.own(checkpoint)
    if own is None:
        if not notes:
            fingerprinted = checkpoint.fingerprints.exists()
            notes.append(
                "This checkpoint is fingerprinted but not in the index yet: run `manage.py relatives_index`."
                if fingerprinted
                else "This checkpoint has no fingerprint yet, so it has no known relatives: its first report "
                "fingerprints it."
            )
        found.notes = notes if preview else [n for n in notes if n.startswith("This checkpoint")]
        return found
    reports = _reports(checkpoint, preview=preview)
    result = index.search(
        own,
        found=_matching_digests(own),
        load=_sketches,
        exclude=own.name,
        limit=limit,
        only=None if preview else [str(i) for i in reports],
    )
    ids = [int(c.name) for c in result.candidates]
    checkpoints = Checkpoint.objects.select_related("model").in_bulk(ids)
    by_id = {int(c.name): c for c in result.candidates}
    for i in ids:
        if i not in checkpoints:
            continue
        candidate = by_id[i]
        candidate.name = str(checkpoints[i])
        found.relatives.append(
            Relative(checkpoint=checkpoints[i], candidate=candidate, report=reports.get(i))
        )
    # Readers: only the sentences about this checkpoint (the others name indexed checkpoints).
    engine_notes = [n for n in result.notes if preview or "indexed fingerprint" not in n]
    found.notes = (notes if preview else []) + engine_notes
    if not found.relatives:
        found.notes.append(
            "No relative is known yet."
            if preview
            else "No relative backed by a published report is known yet."
        )
    return found


def model_relatives(*, model, preview: bool = False, limit: int = 5) -> list[Relatives]:
    """The closest known relatives of each of ``model``'s checkpoints that has any (the index loaded
    once): the model page's section (readers: only the relatives backed by a published report)."""
    loaded = load_index()
    checkpoints = Checkpoint.objects.filter(model=model).select_related("model").order_by("revision", "pk")
    found = [
        checkpoint_relatives(checkpoint=c, preview=preview, limit=limit, loaded=loaded)
        for c in checkpoints
        if str(c.pk) in loaded.index.ids
    ]
    return [f for f in found if f.relatives]


def checkpoints_of_hub_id(*, hub_id: str, preview: bool = False) -> list[Checkpoint]:
    """The checkpoints a hub ID names: ``Org/Name`` (case-insensitive), or a source as an editor writes
    it (``hf:Org/Name@rev``, ``hub:demo:Org/Name``: the hub then counts, the revision does not). Those
    downloaded from that repository, and those of a model whose declared hub ID it is; readers get
    only public ones. Indexed ones first (they have relatives to show), then newest first (two
    queries). Raises ``InvalidSourceError`` (a sentence) for text that is no hub ID."""
    text = hub_id.strip()
    hub = ""
    if text.startswith(("hf:", "hub:")):
        source = parse_source(text)
        if not isinstance(source, HubSource):  # pragma: no cover - parse_source returns a hub source here
            raise InvalidSourceError(part="source", value=text)
        hub, repo = source.hub, source.repo
    else:
        repo = hub_source(hub="huggingface", repo=text.partition("@")[0], revision="main").repo
    downloaded = Q(source_repo__iexact=repo) & (Q(source_hub=hub) if hub else Q())
    declared = Q(model__hub_id__iexact=repo)
    rows = checkpoint_queryset(preview=preview).filter(downloaded | declared)
    found = list(rows.order_by("-created_at", "-pk")[:50])
    indexed = set(
        RelativesEntry.objects.filter(checkpoint__in=[c.pk for c in found]).values_list(
            "checkpoint_id", flat=True
        )
    )
    return sorted(found, key=lambda c: c.pk not in indexed)  # stable: newest first within each group
