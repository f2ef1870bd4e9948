"""Writes of checkpoints, whatever the door: the admin (form and inline), the API, ``manage.py
fingerprint``, the demo loader, and the worker.

* ``checkpoint_register`` creates the checkpoint of a model at a revision, or updates it;
* ``checkpoint_update`` changes one checkpoint in place;
* ``checkpoint_save`` validates and saves a checkpoint a form has built (the admin's add and change);
* ``checkpoint_validate`` is the door check both run (the admin forms run it in ``clean`` so that
  every failure is a field error): the location is a regular file or folder inside the model store
  (``Checkpoint.clean``), its headers read, and the declared format matches the files;
* ``checkpoint_record_inspection`` writes what the pipeline learnt by reading the files (hashes,
  sizes, header facts), with a history entry;
* ``checkpoint_acquire`` registers a checkpoint named by a hub repository and revision and queues
  its download (``claims.pipeline.downloads.runner``); ``checkpoint_record_acquisition`` writes what the
  download established (commit, files and their SHA-256, the folder in MODEL_CACHE_DIR).

Once the weights are hashed their identity no longer changes (``Checkpoint.clean``, so the admin and
the API refuse it with the same field error); before, a change applies to the same row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from claims.jobs import DOWNLOADS
from claims.models import AIModel, Checkpoint
from claims.pipeline.checkpoints import header_facts
from claims.services.content import public_write
from provenance.fingerprint.preview import Preview, preview
from provenance.fingerprint.sources import (
    GitSource,
    HubSource,
    SourceError,
    git_allowed,
    git_source,
    hub_for,
    hub_source,
)

Format = Checkpoint.Format
# Compared to tell whether a write changes anything (timestamps change on every save).
_COMPARED = [
    f.attname for f in Checkpoint._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
]
_IDENTITY = [Checkpoint._meta.get_field(name).attname for name in Checkpoint.IDENTITY_FIELDS]


def _values(checkpoint: Checkpoint) -> dict[str, Any]:
    values = {name: getattr(checkpoint, name) for name in _COMPARED}
    values["uploaded_file"] = values["uploaded_file"].name or ""
    return values


def _stored_values(checkpoint: Checkpoint) -> dict[str, Any]:
    """The stored row, locked until the transaction ends ({} for a new checkpoint)."""
    if checkpoint.pk is None:
        return {}
    row = Checkpoint.objects.select_for_update().filter(pk=checkpoint.pk).values(*_COMPARED).first()
    return {**row, "uploaded_file": row["uploaded_file"] or ""} if row else {}


def checkpoint_validate(*, checkpoint: Checkpoint) -> dict[str, Any]:
    """The header-derived fields of ``checkpoint`` (not saved), or a ValidationError on the field at
    fault: ``location``/``uploaded_file`` for files the engine cannot read, ``format`` when GGUF is
    declared for safetensors files. The format is detected from the files (GGUF by its magic), so
    the returned fields set it: GGUF weights registered with the default format become GGUF.
    A checkpoint with neither location nor file has nothing to read. Call it on a cleaned
    checkpoint (its location resolved and inside the model store)."""
    if not (checkpoint.location or checkpoint.uploaded_file):
        return {}
    facts = header_facts(checkpoint)
    if checkpoint.format == Format.GGUF and facts["format"] != Format.GGUF:
        raise ValidationError(
            {
                "format": f"The weights are safetensors files, not {checkpoint.get_format_display()}: "
                "choose safetensors."
            }
        )
    return facts


@public_write
@transaction.atomic
def checkpoint_save(
    *,
    checkpoint: Checkpoint,
    user: AbstractBaseUser | None,
    reason: str = "",
    inspect: bool = False,
    only_if_changed: bool = False,
) -> tuple[Checkpoint, bool]:
    """Validate and save a checkpoint built by a form (new or changed), with a history entry;
    ``has_updated`` says whether any value changed (with ``only_if_changed``, nothing is saved
    then). The headers are read again when the checkpoint is new, its identity changed, or
    ``inspect``. Raises ValidationError naming the field at fault."""
    stored = _stored_values(checkpoint)
    checkpoint.full_clean()  # resolves the location; refuses identity changes once hashed
    identity_changed = any(_values(checkpoint)[name] != stored.get(name) for name in _IDENTITY)
    if inspect or not stored or identity_changed:
        for name, value in checkpoint_validate(checkpoint=checkpoint).items():
            setattr(checkpoint, name, value)
    changed = not stored or _values(checkpoint) != stored
    if changed or not only_if_changed:
        checkpoint._history_user = user
        checkpoint._change_reason = reason or None
        checkpoint.save()
    return checkpoint, changed


@public_write
@transaction.atomic
def checkpoint_register(
    *,
    model: AIModel,
    revision: str,
    location: str = "",
    uploaded_file: File | None = None,
    format: str | None = None,
    note: str = "",
    user: AbstractBaseUser | None,
    reason: str = "",
) -> tuple[Checkpoint, bool]:
    """The checkpoint of ``model`` at ``revision``, its weights at ``location`` (inside the model
    store) or in ``uploaded_file``; ``created`` is False when that revision was registered already
    (then the same weights are a no-op, other weights are refused once hashed).

    Reads the headers only (bytes, not gigabytes) and records size, layout family, layer count,
    config.json and a digest of tokenizer.json. Raises ValidationError naming the field at fault."""
    if not (location or uploaded_file):
        raise ValidationError({"location": "Give the folder or file of the weights inside the model store."})
    checkpoint = Checkpoint.objects.filter(model=model, revision=revision).first()
    created = checkpoint is None
    if created:
        checkpoint = Checkpoint(model=model, revision=revision)
    checkpoint.location = location
    if format is not None:  # else the files say (GGUF by its magic); a stored checkpoint keeps its own
        checkpoint.format = format
    if uploaded_file is not None:
        checkpoint.uploaded_file = uploaded_file
    checkpoint.note = note or checkpoint.note
    checkpoint_save(
        checkpoint=checkpoint,
        user=user,
        reason=reason or ("Registered" if created else "Registered again"),
        inspect=True,
        only_if_changed=True,  # registering the same weights again writes nothing
    )
    return checkpoint, created


@public_write
@transaction.atomic
def checkpoint_update(
    *, checkpoint: Checkpoint, data: Mapping[str, Any], user: AbstractBaseUser | None, reason: str = ""
) -> tuple[Checkpoint, bool]:
    """Change ``checkpoint`` in place with ``data`` (field name → value); ``has_updated`` is False
    when nothing changed. Identity fields are refused once the weights are hashed; before, a new
    location or format is read again. Raises ValidationError naming the field at fault."""
    for name, value in data.items():
        setattr(checkpoint, name, value)
    return checkpoint_save(checkpoint=checkpoint, user=user, reason=reason)


@public_write
@transaction.atomic
def checkpoint_record_inspection(
    *, checkpoint: Checkpoint, inspection: Mapping[str, Any], reason: str
) -> Checkpoint:
    """Write what reading the files established (``Checkpoint.INSPECTED_FIELDS`` only: hashes,
    sizes, header facts) with a history entry giving ``reason``; no save when nothing changed.
    Only these fields are written, so an editor's concurrent change of the note is kept."""
    unknown = set(inspection) - set(Checkpoint.INSPECTED_FIELDS)
    if unknown:
        raise ValueError(f"Not inspected fields of a checkpoint: {', '.join(sorted(unknown))}.")
    current = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
    changed = [name for name, value in inspection.items() if getattr(current, name) != value]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, inspection[name])
    current._change_reason = reason
    current.save(update_fields=[*changed, "updated_at"])
    return current


def _source(source: Mapping[str, Any] | HubSource | GitSource) -> HubSource | GitSource:
    """A checked source from ``{"kind": "hub", "hub", "repo", "revision", "file"}`` (``file``: one
    GGUF file of the repository, optional) or ``{"kind": "git", "url", "revision"}``, from the
    operator's HUBS / GIT_HOSTS only; a ValidationError on ``source``."""
    try:
        if isinstance(source, Mapping):
            revision = str(source.get("revision") or "main")
            if source.get("kind") == "git":
                if source.get("file"):
                    raise SourceError("A git source cannot name a GGUF file: use a hub source for that.")
                source = git_source(url=str(source.get("url") or ""), revision=revision)
            else:
                source = hub_source(
                    hub=str(source.get("hub") or "huggingface"),
                    repo=str(source.get("repo") or ""),
                    revision=revision,
                    file=str(source.get("file") or ""),
                )
        if isinstance(source, GitSource):
            git_allowed(source, settings.GIT_HOSTS)
        else:
            hub_for(source, settings.HUBS)
    except SourceError as exc:
        raise ValidationError({"source": str(exc)}) from exc
    return source


def checkpoint_preview(*, source: Mapping[str, Any] | HubSource | GitSource) -> Preview:
    """What adding a checkpoint from ``source`` would download and what would run on it (size,
    commit, kept in the cache or fingerprinted shard by shard, methods), before anything downloads.
    Writes nothing. Raises ValidationError on ``source`` with the hub's or git's sentence."""
    source = _source(source)
    try:
        return preview(
            source,
            hubs=settings.HUBS,
            git_hosts=settings.GIT_HOSTS,
            cache_dir=settings.MODEL_CACHE_DIR,
            budget=settings.MODEL_CACHE_MAX_BYTES,
            token=settings.HF_TOKEN,
        )
    except SourceError as exc:
        raise ValidationError({"source": str(exc)}) from exc


@public_write
@transaction.atomic
def checkpoint_acquire(
    *,
    model: AIModel,
    source: Mapping[str, Any] | HubSource | GitSource,
    revision: str = "",
    note: str = "",
    user: AbstractBaseUser | None,
    reason: str = "",
) -> tuple[Checkpoint, bool]:
    """The checkpoint of ``model`` whose weights are ``source`` (a hub of the operator's ``HUBS``,
    a repository ID, a branch, tag or commit, and optionally one GGUF file of it; or a git
    repository URL under ``GIT_HOSTS`` and a revision), its download queued on the ``acquire`` queue;
    ``created`` is False when ``revision`` (default: the source's revision) was registered already
    - the same source is then a no-op (a failed download is queued again), another is refused.
    Nothing is fetched here: a report on it waits for the download. Raises ValidationError
    naming the field at fault."""
    source = _source(source)
    revision = revision or source.revision
    if isinstance(source, GitSource):
        wanted = {
            "source_kind": Checkpoint.SourceKind.GIT,
            "source_hub": "",
            "source_repo": source.url,
            "source_file": "",
        }
    else:
        wanted = {
            "source_kind": Checkpoint.SourceKind.HUB,
            "source_hub": source.hub,
            "source_repo": source.repo,
            "source_file": source.file,
        }
    wanted["source_revision"] = source.revision
    checkpoint = Checkpoint.objects.select_for_update().filter(model=model, revision=revision).first()
    created = checkpoint is None
    if not created:
        if any(getattr(checkpoint, name) != value for name, value in wanted.items()):
            raise ValidationError(
                {
                    "revision": f"“{checkpoint}” is registered already, with other weights: choose another revision label."
                }
            )
        if checkpoint.acquisition_status not in (
            Checkpoint.Acquisition.FAILED,
            Checkpoint.Acquisition.EVICTED,
        ):
            return checkpoint, False
    else:
        checkpoint = Checkpoint(model=model, revision=revision, note=note, **wanted)
    checkpoint.acquisition_status = Checkpoint.Acquisition.QUEUED
    checkpoint.acquisition_error = ""
    checkpoint.acquisition_bytes = 0
    checkpoint.acquisition_heartbeat = None
    checkpoint_save(
        checkpoint=checkpoint, user=user, reason=reason or f"Download queued from {checkpoint.source_display}"
    )
    DOWNLOADS.enqueue_on_commit(checkpoint.pk)
    return checkpoint, created


@public_write
@transaction.atomic
def checkpoint_record_acquisition(
    *, checkpoint: Checkpoint, commit: str, folder: str, files: list[dict], weights_kept: bool = True
) -> Checkpoint:
    """Write what a finished download established: the commit, each file with its SHA-256, and
    the folder (inside MODEL_CACHE_DIR, so inside the model store) the engine reads; the headers
    are read as for any registration. Raises ValidationError if the files are not readable weights.
    ``weights_kept=False``: the shards were fingerprinted one at a time and deleted (the folder
    keeps the small files); nothing is read, and the checkpoint is ``fingerprinted``."""
    current = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
    current.location = folder
    current.source_commit = commit
    current.source_files = files
    current.file_hashes = {
        f["name"]: f["sha256"] for f in files if f["name"].endswith((".safetensors", ".gguf"))
    }
    current.acquisition_status = (
        Checkpoint.Acquisition.DONE if weights_kept else Checkpoint.Acquisition.FINGERPRINTED
    )
    current.acquisition_error = ""
    current.acquisition_total = sum(f["size"] for f in files)
    current.acquisition_bytes = current.acquisition_total
    current.cache_used_at = timezone.now()
    reason = f"Downloaded from {current.source_display} @ {commit}"
    if weights_kept:
        checkpoint_save(checkpoint=current, user=None, reason=reason, inspect=True)
    else:  # no shard is left to read: what the headers said comes with the fingerprint
        current._change_reason = f"{reason}, fingerprinted shard by shard, weights deleted"
        current.save()
    return current
