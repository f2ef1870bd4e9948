"""Tokenizer vocabularies (tokenizer.json BPE/WordPiece/Unigram, vocab.txt, sentencepiece) and the
``tokenizer_overlap`` method, which is reported as weak evidence and never drives a verdict."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from provenance.fingerprint.errors import CheckpointFormatError
from provenance.fingerprint.tokenizers import find_tokenizer, normalise_token, read_vocabulary, shared_tokens


def _write(tmp_path: Path, name: str, data: object) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return p


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(num: int, payload: bytes) -> bytes:
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def sentencepiece_model(pieces: list[str]) -> bytes:
    """A ``ModelProto``: pieces (piece, score as fixed32, type as varint), a trainer spec and a
    normaliser spec that the reader must skip."""
    out = b""
    for i, piece in enumerate(pieces):
        msg = (
            _field(1, piece.encode())
            + _varint(2 << 3 | 5)
            + struct.pack("<f", -float(i))
            + _varint(3 << 3)
            + _varint(1)
        )
        out += _field(1, msg)
    out += _field(2, _field(1, b"corpus.txt") + _varint(3 << 3) + _varint(32000))  # trainer_spec
    out += _field(3, _field(1, b"nmt_nfkc"))  # normalizer_spec
    return out


def test_a_bpe_tokenizer_json_gives_its_vocab_and_added_tokens(tmp_path):
    tok = {
        "model": {"type": "BPE", "vocab": {"a": 0, "Ġthe": 1, "b": 2}, "merges": ["Ġ t", "Ġt he"]},
        "added_tokens": [{"id": 3, "content": "<|endoftext|>"}],
    }
    v = read_vocabulary(_write(tmp_path, "tokenizer.json", tok))
    assert v.kind == "BPE" and len(v) == 4
    assert v.tokens == {"a": 0, " the": 1, "b": 2, "<|endoftext|>": 3}  # Ġ is a space


def test_a_unigram_vocab_is_a_list_of_pieces_and_scores(tmp_path):
    tok = {"model": {"type": "Unigram", "vocab": [["<unk>", 0.0], ["▁the", -1.5], ["s", -3.0]]}}
    v = read_vocabulary(_write(tmp_path, "tokenizer.json", tok))
    assert v.kind == "Unigram" and v.tokens == {"<unk>": 0, " the": 1, "s": 2}


def test_wordpiece_json_and_vocab_txt_read_the_same_tokens(tmp_path):
    words = ["[PAD]", "[UNK]", "the", "##s"]
    tok = {
        "model": {
            "type": "WordPiece",
            "vocab": {w: i for i, w in enumerate(words)},
            "continuing_subword_prefix": "##",
        }
    }
    a = read_vocabulary(_write(tmp_path, "tokenizer.json", tok))
    (tmp_path / "txt").mkdir()
    b = read_vocabulary(_write(tmp_path / "txt", "vocab.txt", "\n".join(words) + "\n"))
    assert a.kind == "WordPiece" and b.kind == "vocab.txt"
    assert a.tokens == b.tokens == {w: i for i, w in enumerate(words)}


def test_a_sentencepiece_model_is_parsed_without_the_sentencepiece_package(tmp_path):
    path = tmp_path / "tokenizer.model"
    path.write_bytes(sentencepiece_model(["<unk>", "<s>", "▁the", "ing", "é"]))
    v = read_vocabulary(tmp_path)  # a folder: find_tokenizer picks the .model file
    assert v.kind == "sentencepiece"
    assert v.tokens == {"<unk>": 0, "<s>": 1, " the": 2, "ing": 3, "é": 4}


def test_byte_level_and_sentencepiece_spellings_of_one_word_are_shared(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    va = read_vocabulary(
        _write(tmp_path / "a", "tokenizer.json", {"model": {"vocab": {"Ġworld": 5, "x": 0}}})
    )
    (tmp_path / "b" / "tokenizer.model").write_bytes(sentencepiece_model(["<unk>", "▁world"]))
    vb = read_vocabulary(tmp_path / "b")
    assert shared_tokens(va, vb) == [(" world", 5, 1)]
    assert normalise_token("Ġa▁b") == " a b"


def test_the_hash_tells_identical_vocabularies_and_merges_apart(tmp_path):
    base = {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}
    other_merges = {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["b a"]}}
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "z").mkdir()
    x = read_vocabulary(_write(tmp_path / "x", "tokenizer.json", base))
    y = read_vocabulary(_write(tmp_path / "y", "tokenizer.json", json.loads(json.dumps(base))))
    z = read_vocabulary(_write(tmp_path / "z", "tokenizer.json", other_merges))
    assert x.sha256 == y.sha256 != z.sha256


def test_find_tokenizer_prefers_tokenizer_json_and_reports_none(tmp_path):
    assert find_tokenizer(tmp_path) is None
    _write(tmp_path, "vocab.txt", "a\nb\n")
    assert find_tokenizer(tmp_path).name == "vocab.txt"
    _write(tmp_path, "tokenizer.json", {"model": {"vocab": {"a": 0}}})
    assert find_tokenizer(tmp_path).name == "tokenizer.json"


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"model": {}}), json.dumps({"model": {"vocab": 3}})]
)
def test_a_broken_tokenizer_json_is_a_format_error(tmp_path, content):
    with pytest.raises(CheckpointFormatError, match="not a readable tokenizer"):
        read_vocabulary(_write(tmp_path, "tokenizer.json", content))


def test_a_truncated_sentencepiece_model_is_a_format_error(tmp_path):
    path = tmp_path / "tokenizer.model"
    path.write_bytes(sentencepiece_model(["<unk>", "▁the"])[:-3])
    with pytest.raises(CheckpointFormatError):
        read_vocabulary(path)


def test_tokenizer_overlap_is_weak_evidence_that_never_drives_the_verdict(weight_reports):
    widened = weight_reports["widened"].results["tokenizer_overlap"]
    assert widened.extra["shared"] == 512 and widened.extra["size_b"] == 576
    assert widened.score == pytest.approx(512 / 576) and widened.extra["identical"] is False
    assert widened.calibration["z"] is None and "Weak evidence" in widened.reading
    same = weight_reports["finetune"].results["tokenizer_overlap"]
    assert same.extra["identical"] is True and same.score == 1.0
    # An unrelated model that shared the tokenizer would still get no verdict from it.
    assert "tokenizer_overlap" not in weight_reports["independent"].summary
    assert "Tokenizer vocabulary overlap" not in weight_reports["independent"].summary
    assert weight_reports["vocab_replaced"].results["tokenizer_overlap"].score < 0.5
