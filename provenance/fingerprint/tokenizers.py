"""Tokenizer vocabularies: token string → id, read from the files a checkpoint folder ships.

Supported files, in the order ``find_tokenizer`` looks for them:

* ``tokenizer.json`` (Hugging Face ``tokenizers``): ``model.vocab`` is a dict {piece: id} for BPE
  and WordPiece, a list of [piece, score] for Unigram (the id is the list position); the
  ``added_tokens`` list adds or overrides {content: id}.
* ``vocab.txt`` (BERT WordPiece): one token per line, the id is the line number.
* ``tokenizer.model`` (sentencepiece): a serialised ``ModelProto``; the pieces are field 1, each a
  message with the piece string in field 1 (id = position). We decode those few protobuf fields
  here (~40 lines) instead of depending on the ``sentencepiece`` wheel: it is a compiled C++
  package, and we need nothing of it beyond the list of pieces.

Token strings are compared after one normalisation, so the same word matches across conventions:
the byte-level BPE space marker ``Ġ`` and sentencepiece's ``▁`` both become a plain space
(``normalise_token``). WordPiece's ``##`` continuation prefix is left alone (it marks a different
segmentation, not a different spelling).

Memory: one vocabulary dict per file (≈ 100 bytes per token: 15 MB for 150k tokens).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import CheckpointFormatError

TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "tokenizer.model")
_SPACE_MARKERS = str.maketrans({"Ġ": " ", "▁": " "})


@dataclass(frozen=True)
class Vocabulary:
    """A tokenizer's vocabulary: normalised token string → id, plus where it came from.

    ``sha256`` hashes the sorted (raw token, id) pairs and, for BPE, the merges: two tokenizers
    with the same hash encode every text identically (up to normalisers and pre-tokenisers).
    """

    tokens: dict[str, int]
    kind: str  # "BPE", "WordPiece", "Unigram", "vocab.txt", "sentencepiece"
    path: str
    sha256: str

    def __len__(self) -> int:
        return len(self.tokens)


def normalise_token(token: str) -> str:
    """The comparison form of a token string: ``Ġ``/``▁`` space markers become spaces."""
    return token.translate(_SPACE_MARKERS)


def find_tokenizer(folder: str | Path) -> Path | None:
    """The first tokenizer file of ``TOKENIZER_FILES`` present in ``folder``, or None."""
    root = Path(folder)
    if root.is_file():
        root = root.parent
    for name in TOKENIZER_FILES:
        if (root / name).is_file():
            return root / name
    return None


def _digest(pairs: Iterable[tuple[str, int]], extra: Iterable[str] = (), *, in_order: bool = False) -> str:
    """``in_order``: the pairs come sorted by id already (one id each), so they are not sorted again."""
    h = hashlib.sha256()
    for tok, i in pairs if in_order else sorted(pairs, key=lambda p: (p[1], p[0])):
        h.update(f"{i}\t{tok}\n".encode("utf-8", "surrogatepass"))
    h.update(b"\0merges\0")
    for m in extra:
        h.update(m.encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


def _bad(path: Path, why: str) -> CheckpointFormatError:
    return CheckpointFormatError(f"{path.name} is not a readable tokenizer: {why}", path=str(path))


def _from_tokenizer_json(path: Path) -> Vocabulary:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad(path, f"invalid JSON ({str(exc)[:120]})") from exc
    model = data.get("model") if isinstance(data, dict) else None
    if not isinstance(model, dict) or "vocab" not in model:
        raise _bad(path, "no model.vocab")
    vocab = model["vocab"]
    pairs: list[tuple[str, int]]
    if isinstance(vocab, dict):
        pairs = [(str(t), int(i)) for t, i in vocab.items()]
        kind = str(model.get("type") or ("WordPiece" if "continuing_subword_prefix" in model else "BPE"))
    elif isinstance(vocab, list):  # Unigram: [[piece, score], ...], id = position
        pairs = [
            (str(entry[0]), i) for i, entry in enumerate(vocab) if isinstance(entry, list | tuple) and entry
        ]
        kind = "Unigram"
    else:
        raise _bad(path, "model.vocab is neither an object nor a list")
    added = [
        (str(t["content"]), int(t["id"]))
        for t in data.get("added_tokens") or ()
        if isinstance(t, dict) and "content" in t and "id" in t
    ]
    by_token = dict(pairs)
    by_token.update(added)  # an added token re-declared with another id: the added id wins, as in HF
    merges = [m if isinstance(m, str) else " ".join(map(str, m)) for m in model.get("merges") or ()]
    return Vocabulary(_normalised(by_token), kind, str(path), _digest(list(by_token.items()), merges))


def _from_vocab_txt(path: Path) -> Vocabulary:
    lines = path.read_text(encoding="utf-8").splitlines()
    by_token: dict[str, int] = {}
    for i, tok in enumerate(lines):
        by_token.setdefault(tok, i)
    return Vocabulary(_normalised(by_token), "vocab.txt", str(path), _digest(list(by_token.items())))


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, pos
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, int, bytes | int]]:
    """(field number, wire type, value) of one protobuf message; length-delimited values as bytes."""
    out: list[tuple[int, int, bytes | int]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = _varint(buf, pos)
            out.append((num, wire, val))
        elif wire == 1:
            pos += 8
        elif wire == 2:
            n, pos = _varint(buf, pos)
            if pos + n > len(buf):
                raise ValueError("truncated field")
            out.append((num, wire, buf[pos : pos + n]))
            pos += n
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def _from_sentencepiece(path: Path) -> Vocabulary:
    """``ModelProto.pieces`` (field 1) → ``SentencePiece.piece`` (field 1); id = position."""
    try:
        pieces = [msg for num, wire, msg in _fields(path.read_bytes()) if num == 1 and wire == 2]
        by_token: dict[str, int] = {}
        for i, msg in enumerate(pieces):
            piece = next((v for n, w, v in _fields(msg) if n == 1 and w == 2), b"")
            by_token.setdefault(bytes(piece).decode("utf-8"), i)  # type: ignore[arg-type]
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad(path, f"not a sentencepiece model ({exc})") from exc
    if not by_token:
        raise _bad(path, "no pieces")
    return Vocabulary(_normalised(by_token), "sentencepiece", str(path), _digest(list(by_token.items())))


def _normalised(by_token: dict[str, int], *, in_order: bool = False) -> dict[str, int]:
    """``in_order``: ``by_token`` was filled in id order, so it is not sorted again."""
    out: dict[str, int] = {}
    for tok, i in by_token.items() if in_order else sorted(by_token.items(), key=lambda p: p[1]):
        form = normalise_token(tok)
        # Two raw spellings of one form: keep the lower id. An unchanged token keeps its own string.
        out.setdefault(tok if form == tok else form, i)
    return out


def read_vocabulary(path: str | Path) -> Vocabulary:
    """The vocabulary of a tokenizer file or of the first tokenizer file in a folder.

    Raises CheckpointFormatError if there is none or it cannot be parsed.
    """
    p = Path(path)
    if p.is_dir():
        found = find_tokenizer(p)
        if found is None:
            raise CheckpointFormatError(
                f"no tokenizer file ({', '.join(TOKENIZER_FILES)}) in {p}", path=str(p)
            )
        p = found
    if p.name.endswith(".json"):
        return _from_tokenizer_json(p)
    if p.name.endswith(".model"):
        return _from_sentencepiece(p)
    return _from_vocab_txt(p)


def shared_tokens(va: Vocabulary, vb: Vocabulary) -> list[tuple[str, int, int]]:
    """(token, id in A, id in B) for every normalised token string both vocabularies hold, by string."""
    return [(t, va.tokens[t], vb.tokens[t]) for t in sorted(va.tokens.keys() & vb.tokens.keys())]
