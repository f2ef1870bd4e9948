"""Lineage search: every fingerprinted checkpoint placed among its closest known relatives (issue 24).

* ``exact`` - the informative tensors' digests and the digest → checkpoints map (bit-identical shares);
* ``signature`` - the compact per-checkpoint signature (weight-sample sketch + permutation-proof
  σ/peak profile), derived from a fingerprint without re-reading the weights;
* ``compare`` - one pair's scores and their nulls; ``search`` - verdicts and ranking;
* ``index`` - ``RelativesIndex`` (add, remove, search) and the on-disk index of a folder of saved
  fingerprints (``open_folder_index``); ``text`` - the command line's output.

For a store (the knowledge base): per checkpoint keep ``entry_of(name, fp).to_dict()`` (JSON: the
informative digests' 64-bit prefixes with bytes and layers, and the signature) or its parts as rows;
to search, ``RelativesIndex.add_entry(Entry.from_dict(name, stored))`` for each (an entry of another
signature version raises ``OutdatedSignature``: recompute it with ``entry_of``), then
``index.search(fp, exclude=name, limit=n).to_dict()`` - ranked candidates with tier, title, exact
share and calibrated scores. ``add``/``remove`` keep the index current.

Plain Python + NumPy; docs/engine.md, "Lineage search", says what it sees, how it is calibrated and
where it cannot look.
"""
