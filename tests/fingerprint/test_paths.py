"""The engine opens only regular files, and - given permitted folders - only files that resolve
inside them, whether the link is a shard, a sidecar file or the checkpoint folder itself."""

from __future__ import annotations

import os
import shutil

import pytest
from engine_files import llama_tensors

from provenance.fingerprint.errors import NotRegularFileError, OutsidePermittedFoldersError
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.weights import PairWeights

SHARD = "model-00001-of-00002.safetensors"


@pytest.fixture
def store(tmp_path, write_checkpoint):
    """A model store with a two-shard checkpoint ``store/ckpt``, and a folder outside it."""
    (tmp_path / "store").mkdir()
    (tmp_path / "outside").mkdir()
    write_checkpoint(
        llama_tensors(), name="store/ckpt", shards=2, tokenizer={"model": {"vocab": {"a": 0, "b": 1}}}
    )
    return tmp_path / "store"


def test_a_fifo_given_as_the_checkpoint_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "weights.safetensors"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError, match="named pipe") as info:
        open_checkpoint(fifo)  # opening a FIFO would block this test for ever
    assert str(fifo) in str(info.value)


def test_a_fifo_named_as_a_shard_is_refused(store):
    shard = store / "ckpt" / SHARD
    shard.unlink()
    os.mkfifo(shard)
    with pytest.raises(NotRegularFileError, match=SHARD):
        open_checkpoint(store / "ckpt", permitted=[store])


def test_a_shard_linked_out_of_the_store_is_refused_and_named(store, tmp_path):
    shard = store / "ckpt" / SHARD
    shutil.move(shard, tmp_path / "outside" / SHARD)  # a valid shard: only where it lives is wrong
    shard.symlink_to(tmp_path / "outside" / SHARD)
    with pytest.raises(OutsidePermittedFoldersError) as info:
        open_checkpoint(store / "ckpt", permitted=[store])
    assert str(info.value).startswith(SHARD)
    assert str(tmp_path / "outside") not in str(info.value)  # where the link points is not told


def test_a_shard_linked_to_etc_passwd_is_refused(store):
    shard = store / "ckpt" / SHARD
    shard.unlink()
    shard.symlink_to("/etc/passwd")
    with pytest.raises(OutsidePermittedFoldersError, match=SHARD):
        open_checkpoint(store / "ckpt", permitted=[store])


@pytest.mark.parametrize("sidecar", ["config.json", "tokenizer.json"])
def test_a_sidecar_file_linked_out_of_the_store_is_refused(store, tmp_path, sidecar):
    (tmp_path / "outside" / sidecar).write_text("{}")
    (store / "ckpt" / sidecar).unlink(missing_ok=True)
    (store / "ckpt" / sidecar).symlink_to(tmp_path / "outside" / sidecar)
    with pytest.raises(OutsidePermittedFoldersError, match=sidecar):
        open_checkpoint(store / "ckpt", permitted=[store])


def test_a_store_folder_that_links_out_of_the_store_is_refused(store, tmp_path):
    shutil.move(store / "ckpt", tmp_path / "outside" / "ckpt")
    (store / "ckpt").symlink_to(tmp_path / "outside" / "ckpt")
    with pytest.raises(OutsidePermittedFoldersError):
        open_checkpoint(store / "ckpt", permitted=[store])


def test_links_to_other_places_inside_the_store_keep_working(store):
    blobs = store / "blobs"
    blobs.mkdir()
    shard = store / "ckpt" / SHARD
    shutil.move(shard, blobs / "3f2a9c")  # as the Hugging Face cache stores shards
    shard.symlink_to(blobs / "3f2a9c")
    (store / "snapshot").symlink_to(store / "ckpt")

    ckpt = open_checkpoint(store / "snapshot", permitted=[store])

    assert [f.name for f in ckpt.files][0] == SHARD  # named as linked, read where it lives
    name = next(t.name for t in ckpt.tensors.values() if t.file == SHARD)
    assert ckpt.read_tensor(name).size


def test_a_tokenizer_found_later_is_checked_too(store, tmp_path):
    ckpt = open_checkpoint(store / "ckpt", permitted=[store])
    (store / "ckpt" / "tokenizer.json").unlink()
    (tmp_path / "outside" / "tokenizer.json").write_text('{"model": {"vocab": {"a": 0}}}')
    (store / "ckpt" / "tokenizer.json").symlink_to(tmp_path / "outside" / "tokenizer.json")
    with pytest.raises(OutsidePermittedFoldersError, match="tokenizer.json"):
        PairWeights(ckpt, ckpt).vocabulary("a")


def test_without_permitted_folders_the_owner_may_link_anywhere(store, tmp_path):
    """The command line reads the owner's own files: links are followed wherever they go."""
    shard = store / "ckpt" / SHARD
    shutil.move(shard, tmp_path / "outside" / SHARD)
    shard.symlink_to(tmp_path / "outside" / SHARD)
    assert len(open_checkpoint(store / "ckpt").files) == 2
