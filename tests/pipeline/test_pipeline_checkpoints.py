"""Registering checkpoints: only inside the model store, and a bad checkpoint is a field error."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from claims.models import Checkpoint
from claims.models.ai_models import resolve_location
from claims.pipeline.checkpoints import open_engine_checkpoint
from claims.services import checkpoint_record_inspection, checkpoint_register, checkpoint_update
from provenance.fingerprint.errors import OutsidePermittedFoldersError
from tests.factories import AIModelFactory
from tests.pipeline.conftest import truncate_last_shard

pytestmark = pytest.mark.django_db


def test_it_records_what_the_headers_say(register):
    checkpoint = register("base")

    assert checkpoint.format == "safetensors"
    assert checkpoint.layout_family == "qwen2"
    assert checkpoint.layer_count == 12
    assert checkpoint.total_size > 1_000_000
    assert checkpoint.config["num_hidden_layers"] == 12
    assert len(checkpoint.tokenizer_digest) == 64
    assert checkpoint.content_hash == ""  # hashing the weights is the worker's job, not registration's


def test_registering_the_same_revision_twice_updates_the_row(register, model_store):
    first = register("base")
    again, created = checkpoint_register(model=first.model, revision="v1", location="lineage/base", user=None)
    assert again.pk == first.pk and not created


@pytest.mark.parametrize(
    "location",
    ["../../etc", "/etc", "/etc/passwd", "lineage/../../../etc/passwd", ""],
)
def test_it_refuses_locations_outside_the_model_store(model_store, location):
    with pytest.raises(ValidationError) as info:
        checkpoint_register(model=AIModelFactory(), revision="v1", location=location, user=None)
    assert "location" in info.value.message_dict


def test_it_refuses_a_symlink_that_escapes_the_store(model_store, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (model_store / "escape").unlink(missing_ok=True)
    os.symlink(outside, model_store / "escape")
    with pytest.raises(ValidationError, match="outside the model store"):
        resolve_location("escape")


def test_a_truncated_checkpoint_is_refused_with_the_file_named(copy_of):
    location = copy_of("finetune")
    shard = truncate_last_shard(location)
    with pytest.raises(ValidationError) as info:
        checkpoint_register(model=AIModelFactory(), revision="v1", location=location, user=None)
    message = info.value.message_dict["location"][0]
    assert shard.name in message and "truncated" in message


def test_a_folder_without_weights_is_refused(model_store):
    (model_store / "empty").mkdir(exist_ok=True)
    with pytest.raises(ValidationError, match="no .safetensors"):
        checkpoint_register(model=AIModelFactory(), revision="v1", location="empty", user=None)


def test_a_fifo_in_the_store_is_a_location_error_not_a_crash(model_store):
    fifo = model_store / f"pipe-{uuid.uuid4().hex[:8]}"
    os.mkfifo(fifo)
    with pytest.raises(ValidationError) as info:
        checkpoint_register(model=AIModelFactory(), revision="v1", location=str(fifo), user=None)
    assert "not a regular file or a folder" in info.value.message_dict["location"][0]


def _move_out_and_link(shard: Path, outside: Path) -> None:
    """Move ``shard`` out of the store and leave a symlink to it in its place."""
    target = outside / shard.name
    shutil.move(shard, target)
    shard.symlink_to(target)


def test_a_shard_linked_out_of_the_store_is_refused_at_registration(copy_of, tmp_path_factory):
    location = copy_of("finetune")
    shard = sorted(Path(location).glob("*.safetensors"))[-1]
    _move_out_and_link(shard, tmp_path_factory.mktemp("outside"))  # a valid shard, in the wrong place
    with pytest.raises(ValidationError) as info:
        checkpoint_register(model=AIModelFactory(), revision="v1", location=location, user=None)
    message = info.value.message_dict["location"][0]
    assert message.startswith(shard.name) and "outside the folders this analysis may read" in message


def test_the_worker_refuses_a_shard_linked_out_of_the_store_after_registration(
    register, copy_of, tmp_path_factory
):
    checkpoint = register("finetune", location=copy_of("finetune"))
    shard = sorted(Path(checkpoint.location).glob("*.safetensors"))[-1]
    _move_out_and_link(shard, tmp_path_factory.mktemp("outside"))
    with pytest.raises(OutsidePermittedFoldersError, match=shard.name):
        open_engine_checkpoint(checkpoint)


def test_a_link_to_another_place_in_the_store_is_registered(copy_of, model_store):
    location = Path(copy_of("finetune"))
    shard = sorted(location.glob("*.safetensors"))[-1]
    elsewhere = model_store / f"blobs-{uuid.uuid4().hex[:8]}"
    elsewhere.mkdir()
    _move_out_and_link(shard, elsewhere)
    checkpoint, created = checkpoint_register(
        model=AIModelFactory(), revision="v1", location=str(location), user=None
    )
    assert created and checkpoint.layer_count == 12


def test_gguf_is_refused_for_safetensors_weights(register):
    with pytest.raises(ValidationError) as info:
        checkpoint_register(
            model=AIModelFactory(), revision="v1", location="lineage/base", format="gguf", user=None
        )
    assert "safetensors files, not GGUF" in info.value.message_dict["format"][0]


def gguf_copy(model_store: Path, qtype: str = "Q8_0", *, name: str | None = None) -> Path:
    """A GGUF copy of the lineage base (seed 0: base is BaseModel seed 1) in the model store."""
    from provenance.fingerprint.synthetic import SIZES, BaseModel
    from provenance.fingerprint.synthetic.gguf_writer import write_gguf

    path = model_store / (name or f"base-{uuid.uuid4().hex[:8]}.gguf")
    return write_gguf(BaseModel(SIZES["tiny"], seed=1), path, qtype=qtype, arch="llama")


@pytest.mark.parametrize("declared", ["gguf", None])
def test_a_gguf_file_is_registered_with_its_format_detected(model_store, declared):
    path = gguf_copy(
        model_store, name=f"weights-{uuid.uuid4().hex[:8]}.bin"
    )  # the magic says GGUF, not the name
    checkpoint, _created = checkpoint_register(
        model=AIModelFactory(), revision="v1", location=str(path), format=declared, user=None
    )
    assert checkpoint.format == "gguf"
    assert (checkpoint.layout_family, checkpoint.layer_count) == ("llama", 12)
    assert checkpoint.config["gguf"]["qk_permuted"] and len(checkpoint.tokenizer_digest) == 64
    again, created = checkpoint_register(model=checkpoint.model, revision="v1", location=str(path), user=None)
    assert again.pk == checkpoint.pk and not created and again.format == "gguf"


def test_a_broken_gguf_file_is_refused_naming_it(model_store):
    gguf = model_store / f"tiny-{uuid.uuid4().hex[:8]}.gguf"
    gguf.write_bytes(b"GGUF" + bytes(60))
    for declared in ("gguf", "safetensors"):
        with pytest.raises(ValidationError) as info:
            checkpoint_register(
                model=AIModelFactory(), revision="v1", location=str(gguf), format=declared, user=None
            )
        assert info.value.message_dict["location"][0].startswith(f"{gguf.name} is GGUF version 0")


def hashed(checkpoint: Checkpoint) -> Checkpoint:
    return checkpoint_record_inspection(
        checkpoint=checkpoint, inspection={"content_hash": "ab" * 32}, reason="test"
    )


def test_before_hashing_a_new_revision_changes_the_same_row(register):
    checkpoint = register("base")
    changed, has_updated = checkpoint_update(checkpoint=checkpoint, data={"revision": "v2"}, user=None)
    assert has_updated and changed.pk == checkpoint.pk and Checkpoint.objects.get().revision == "v2"


@pytest.mark.parametrize(
    ("field", "value"), [("revision", "v2"), ("location", "lineage/moe"), ("format", "gguf")]
)
def test_once_hashed_the_identity_is_fixed(register, field, value):
    checkpoint = hashed(register("base"))
    with pytest.raises(ValidationError) as info:
        checkpoint_update(checkpoint=checkpoint, data={field: value}, user=None)
    assert list(info.value.message_dict) == [field] and "hashed" in info.value.message_dict[field][0]
    assert Checkpoint.objects.get().revision == "v1"


def test_once_hashed_the_note_still_changes_with_history(register):
    checkpoint = hashed(register("base"))
    checkpoint_update(checkpoint=checkpoint, data={"note": "From the hub."}, user=None, reason="source")
    assert checkpoint.history.latest().history_change_reason == "source"


def test_recording_an_inspection_keeps_history_and_refuses_other_fields(register):
    checkpoint = hashed(register("base"))
    assert checkpoint.history.latest().history_change_reason == "test"
    with pytest.raises(ValueError, match="note"):
        checkpoint_record_inspection(checkpoint=checkpoint, inspection={"note": "x"}, reason="test")
