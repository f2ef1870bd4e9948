"""Lineage search: every fingerprinted checkpoint placed among its closest known relatives (issue 24).

* ``exact`` - the informative tensors' digests and the digest → checkpoints map (bit-identical shares);
* ``signature`` - the compact per-checkpoint signature (weight-sample sketch + permutation-proof
  σ/peak profile), derived from a fingerprint without re-reading the weights;
* ``compare`` - one pair's scores and their nulls; ``search`` - verdicts and ranking;
* ``index`` - ``RelativesIndex`` (add, remove, search) and the on-disk index of a folder of saved
  fingerprints (``open_folder_index``); ``store`` - the parts a database keeps and ``ScreenIndex``;
  ``text`` - the command line's output.

For a small store: per checkpoint keep ``entry_of(name, fp).to_dict()`` (JSON: the informative
digests' 64-bit prefixes with bytes and layers, and the signature); to search,
``RelativesIndex.add_entry(Entry.from_dict(name, stored))`` for each (an entry of another signature
version raises ``OutdatedSignature``: recompute it with ``entry_of``), then
``index.search(fp, exclude=name, limit=n).to_dict()`` - ranked candidates with tier, title, exact
share and calibrated scores. ``add``/``remove`` keep the index current.

For a database of up to 100,000 checkpoints (the knowledge base): ``store`` - ``pack`` an entry into
digest rows (to index by prefix), a ~5 KB screening form, the sketch as bytes and a small JSON;
``ScreenIndex`` holds only the screening forms and searches with the digest rows a lookup found and
the sketches of the candidates it keeps.

Plain Python + NumPy; docs/engine.md, "Lineage search", says what it sees, how it is calibrated and
where it cannot look.
"""
