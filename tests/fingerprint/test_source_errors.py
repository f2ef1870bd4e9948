"""The typed source errors (provenance.fingerprint.sources.errors): each is a SourceError, so every
existing ``except SourceError`` still catches it, says its sentence from its facts, and arrives whole
from a worker process (pickled)."""

from __future__ import annotations

import pickle

import pytest

from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.sources import SourceError, errors, hub_source, parse_source

EXAMPLES = [
    (errors.InvalidSourceError(part="revision", value="a..b"), "'a..b' is not a revision: give a branch"),
    (errors.UnknownHubError(hub="x", known=[]), "The hub 'x' is not one this server may download from (configured: none)"),
    (errors.RevisionNotFoundError(where="Org/m on hf", revision="v9"), "Org/m on hf has no revision 'v9'"),
    (errors.RepositoryNotFoundError(where="Org/m", hint_token=True), "Org/m does not exist or it is private"),
    (errors.NoWeightsError(source="hf:O/m@main", pickles=["a.bin"] * 4), "only pickle checkpoints (a.bin, a.bin, a.bin, …)"),
    (errors.SizeMismatchError(file="f", size=10, how="pointer", got=9), "f has 9 bytes but its LFS pointer says 10"),
    (errors.NotEnoughSpaceError(source="s", missing=2 * 10**12, folder="/c", free=10**9), "needs 2.0 TB more on disk and /c has 1.0 GB free"),
    (errors.TooLargeForCacheError(source="s", total=3 * 10**9, budget=10**9, why="git"), "a git repository cannot be fingerprinted shard by shard"),
    (errors.RangesRefusedError(hub="h", file="f", status=200), "h does not answer HTTP Range requests for f (status 200)"),
]  # fmt: skip


@pytest.mark.parametrize(("error", "sentence"), EXAMPLES, ids=[type(e).__name__ for e, _ in EXAMPLES])
def test_a_typed_error_is_a_source_error_with_its_sentence_and_pickles_whole(error, sentence):
    assert isinstance(error, SourceError) and isinstance(error, FingerprintError)
    assert sentence in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error) and again.__dict__ == error.__dict__


def test_the_naming_functions_raise_the_typed_error_with_the_facts():
    with pytest.raises(errors.InvalidSourceError) as info:
        hub_source(hub="huggingface", repo="not a repo", revision="main")
    assert (info.value.part, info.value.value) == ("repo", "not a repo")
    with pytest.raises(errors.InvalidSourceError, match="is not a hub source"):
        parse_source("s3://bucket")


def test_a_plain_message_is_still_a_source_error():
    assert str(SourceError("HUBS: bad.")) == "HUBS: bad."
