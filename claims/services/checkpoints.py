"""Writes of checkpoints, whatever the door: the admin (form and inline), the API, ``manage.py
fingerprint``, the demo loader, and the worker.

* ``checkpoint_register`` creates the checkpoint of a model at a revision, or updates it;
* ``checkpoint_update`` changes one checkpoint in place;
* ``checkpoint_save`` validates and saves a checkpoint a form has built (the admin's add and change);
* ``checkpoint_validate`` is the door check both run (the admin forms run it in ``clean`` so that
  every failure is a field error): the location is a regular file or folder inside the model store
  (``Checkpoint.clean``), its headers read, and the declared format matches the files;
* ``checkpoint_record_inspection`` writes what the pipeline learnt by reading the files (hashes,
  sizes, header facts), with a history entry.

Once the weights are hashed their identity no longer changes (``Checkpoint.clean``, so the admin and
the API refuse it with the same field error); before, a change applies to the same row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from claims.models import AIModel, Checkpoint
from claims.pipeline.checkpoints import header_facts

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
