"""A Hugging Face ``tokenizer.json`` (BPE) of made-up tokens for the synthetic checkpoints."""

from __future__ import annotations

from typing import Any

import numpy as np


def make_tokenizer(seed: int, n_tokens: int, *, extra: int = 0) -> dict[str, Any]:
    """A Hugging Face ``tokenizer.json`` (BPE) of made-up tokens; ``extra`` appends new merges.

    Ids 0..n_tokens-3 are the alphabet and merges, n_tokens-2 and -1 are special tokens, and the
    ``extra`` widened tokens follow them (as when a vocabulary is extended after release).
    """
    rng = np.random.default_rng([seed, 77])
    vocab: list[str] = list("abcdefghijklmnopqrstuvwxyz") + ["Ġ" + c for c in "aeioustnrl"]
    merges: list[str] = []
    seen = set(vocab)

    def grow(count: int, local_rng: np.random.Generator) -> None:
        # A merge joins any token with a short one (≤ 3 characters); drawing the right side from
        # short tokens keeps rejections rare, so 32k-token vocabularies take well under a second.
        short = [t for t in vocab if len(t) <= 3 and not t.startswith("Ġ")]
        while count > 0:
            lefts = local_rng.integers(0, len(vocab), size=1024)
            rights = local_rng.integers(0, len(short), size=1024)
            for i, j in zip(lefts.tolist(), rights.tolist(), strict=True):
                left, right = vocab[i], short[j]
                token = left + right
                if len(token) > 12 or token in seen:
                    continue
                vocab.append(token)
                seen.add(token)
                merges.append(f"{left} {right}")
                if len(token) <= 3 and not token.startswith("Ġ"):
                    short.append(token)
                count -= 1
                if count == 0:
                    break

    grow(n_tokens - 2 - len(vocab), rng)
    specials = ["<|endoftext|>", "<|pad|>"]
    ids = {tok: i for i, tok in enumerate(vocab)}
    for k, tok in enumerate(specials):
        ids[tok] = n_tokens - 2 + k
    if extra:
        before = len(vocab)
        grow(extra, np.random.default_rng([seed, 78]))
        for k, tok in enumerate(vocab[before:]):
            ids[tok] = n_tokens + k
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": ids[t],
                "content": t,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for t in specials
        ],
        "normalizer": None,
        "pre_tokenizer": {
            "type": "ByteLevel",
            "add_prefix_space": False,
            "trim_offsets": True,
            "use_regex": True,
        },
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": ids,
            "merges": merges,
        },
    }
