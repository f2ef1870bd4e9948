"""The model cache's budget (``MODEL_CACHE_MAX_GB``): what a download may add to ``MODEL_CACHE_DIR``,
and which downloads make room for it.

* What is on disk is folders, not checkpoints: two checkpoints of one repository and commit share
  one folder. A folder is removed only when no checkpoint using it is needed - by a queued or
  running report, or by a download under way - and removing it marks every checkpoint using it
  ``evicted`` (a report asking for one downloads its commit again).
* A download reserves what it will add before it starts, and the check and the reservation are
  one step under a lock (a file lock in the cache folder, which every worker sharing the cache
  sees): the bytes other running downloads have reserved and not yet written count as used, so two
  downloads checked at once are never both admitted beyond the budget. A reservation lasts until
  ``cache_release`` (the download's end, whatever its outcome); one of a download whose worker died
  (its heartbeat stopped) no longer counts.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db.models import F, Q

from claims.lease import stale_before
from claims.models import Checkpoint, FingerprintReport
from provenance.fingerprint.sizes import human_bytes
from provenance.fingerprint.sources import SourceError

logger = logging.getLogger(__name__)
Acquisition = Checkpoint.Acquisition
RESERVATIONS = ".reservations"  # <cache>/.reservations/<checkpoint id>: {"bytes", "folder"}


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@contextmanager
def _budget_lock(cache: Path) -> Iterator[None]:
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".budget.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _running_downloads() -> Q:
    return Q(acquisition_status=Acquisition.RUNNING, acquisition_heartbeat__gte=stale_before())


def _reservations(cache: Path, *, other_than: int) -> dict[int, tuple[int, Path]]:
    """The live reservations of downloads other than ``other_than``: id → (bytes, folder)."""
    found = {}
    for path in (cache / RESERVATIONS).glob("*"):
        try:
            data = json.loads(path.read_text())
            found[int(path.name)] = (int(data["bytes"]), Path(data["folder"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    found.pop(other_than, None)
    live = set(Checkpoint.objects.filter(_running_downloads(), pk__in=found).values_list("pk", flat=True))
    return {pk: value for pk, value in found.items() if pk in live}


def _folder_of(location: str) -> Path:
    return Path(location).resolve()


def cache_make_room(*, needed: int, for_checkpoint: Checkpoint, folder: Path | None = None) -> list[int]:
    """Reserve ``needed`` bytes of MODEL_CACHE_MAX_BYTES for the download of ``for_checkpoint`` into
    ``folder`` (less what that folder - or the checkpoint's location - already holds), removing the
    least recently used folders that nothing needs (see the module's docstring) until it fits.
    Returns the ids of the checkpoints evicted; SourceError when the budget cannot be met. The
    reservation lasts until ``cache_release(for_checkpoint)``."""
    budget = settings.MODEL_CACHE_MAX_BYTES
    cache = Path(settings.MODEL_CACHE_DIR)
    if not budget:
        return []
    target = _folder_of(str(folder)) if folder else None
    if target is None and for_checkpoint.location:
        target = _folder_of(for_checkpoint.location)
    with _budget_lock(cache):
        used = _folder_bytes(cache)
        if target is not None and target.is_dir():
            needed -= _folder_bytes(target)
        needed = max(needed, 0)
        reserved = _reservations(cache, other_than=for_checkpoint.pk)
        # What other downloads reserved and have not written yet counts as used.
        pending = sum(max(size - (_folder_bytes(f) if f.is_dir() else 0), 0) for size, f in reserved.values())
        evicted = []
        if used + pending + needed > budget:
            evicted, used = _evict(cache, used=used, room=budget - pending - needed, keep=_needed_folders(
                for_checkpoint, target, [f for _size, f in reserved.values()]
            ))  # fmt: skip
        if used + pending + needed > budget:
            raise SourceError(
                f"The model cache cannot make room: this download needs {human_bytes(needed)}, the budget "
                f"(MODEL_CACHE_MAX_GB) is {human_bytes(budget)}, {human_bytes(used)} is in use by checkpoints "
                f"that queued or running reports need and {human_bytes(pending)} is reserved by downloads under "
                "way. An operator can raise the budget, or retry later."
            )
        (cache / RESERVATIONS).mkdir(exist_ok=True)
        record = {"bytes": needed + (_folder_bytes(target) if target is not None and target.is_dir() else 0)}
        record["folder"] = str(target or cache / RESERVATIONS / "none")
        (cache / RESERVATIONS / str(for_checkpoint.pk)).write_text(json.dumps(record))
    return evicted


def cache_release(checkpoint: Checkpoint) -> None:
    """End the reservation of ``checkpoint``'s download (its bytes are on disk now, or never will be)."""
    (Path(settings.MODEL_CACHE_DIR) / RESERVATIONS / str(checkpoint.pk)).unlink(missing_ok=True)


def _needed_folders(for_checkpoint: Checkpoint, target: Path | None, reserved: list[Path]) -> set[Path]:
    """The folders that may not be removed: those of the checkpoints queued or running reports need,
    of downloads under way (the one making room included) and of their targets."""
    busy = FingerprintReport.objects.filter(status__in=FingerprintReport.IN_PROGRESS)
    ids = {for_checkpoint.pk}
    for a, b in busy.values_list("checkpoint_a_id", "checkpoint_b_id"):
        ids |= {a, b}
    locations = Checkpoint.objects.filter(Q(pk__in=ids) | _running_downloads()).exclude(location="")
    folders = {_folder_of(location) for location in locations.values_list("location", flat=True)}
    return folders | set(reserved) | ({target} if target is not None else set())


def _evict(cache: Path, *, used: int, room: int, keep: set[Path]) -> tuple[list[int], int]:
    """Remove the least recently used folders not in ``keep`` until ``used`` fits ``room``; each
    checkpoint using a removed folder is marked evicted. Returns (ids evicted, bytes now used)."""
    candidates = (
        Checkpoint.objects.filter(acquisition_status=Acquisition.DONE, location__startswith=str(cache))
        .order_by(F("cache_used_at").asc(nulls_first=True), "pk")
        .values_list("location", flat=True)
    )
    evicted = []
    for location in candidates:
        folder = _folder_of(location)
        if used <= room:
            break
        if folder in keep:
            continue
        keep.add(folder)  # done with it either way
        size = _folder_bytes(folder) if folder.is_dir() else 0
        shutil.rmtree(folder, ignore_errors=True)
        users = Checkpoint.objects.filter(acquisition_status=Acquisition.DONE, location=location)
        ids = list(users.values_list("pk", flat=True))
        users.update(acquisition_status=Acquisition.EVICTED)
        logger.info("Evicted %s (checkpoints %s) from the model cache", human_bytes(size), ids)
        used -= size
        evicted += ids
    return evicted, used
