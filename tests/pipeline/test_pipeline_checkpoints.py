"""Registering checkpoints: only inside the model store, and a bad checkpoint is a field error."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ValidationError

from claims.models.ai_models import resolve_location
from claims.services import checkpoint_register
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
