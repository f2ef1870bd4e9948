"""The lineage-search index (issue 24): one row per kept fingerprint, holding its engine entry in the
parts the search reads apart (``provenance.fingerprint.relatives.store.pack``).

* ``RelativesEntry.entry``: the entry's JSON without its digests and sketch rows (a few KB);
  ``screen``: the compact screening form every search holds in memory for every checkpoint (~5 KB);
  ``sketch``: the per-layer sketch rows (float32), read only for the candidates the screen keeps;
* ``RelativesDigest``: one row per informative tensor, its digest's 64-bit prefix indexed, so the
  exact shares of a query are one indexed lookup whatever the index size (issue 24: "tensor hashes
  as rows with an index").

``signature_version`` is the engine's ``SIGNATURE_VERSION`` the entry was computed with: an entry of
another version, or one written before the parts were kept apart (``screen`` empty), is never compared
(the selector leaves it out with a sentence; ``manage.py relatives_index`` computes it again).

Written by the pipeline whenever a fingerprint is recorded (``claims.services.relatives_index_put``),
deleted with its fingerprint (cascade: ``fingerprints_forget``, and a checkpoint's deletion). Not
public content: a reader sees a relative only through a published report comparing the two
checkpoints (``claims.selectors.relatives``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RelativesEntry(models.Model):
    fingerprint = models.OneToOneField(
        "claims.ModelFingerprint", on_delete=models.CASCADE, related_name="relatives_entry"
    )
    checkpoint = models.ForeignKey("claims.Checkpoint", on_delete=models.CASCADE, related_name="+")
    signature_version = models.PositiveIntegerField()
    entry = models.JSONField(default=dict)
    screen = models.BinaryField(null=True)
    sketch = models.BinaryField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["computed_at", "pk"]
        verbose_name_plural = "relatives entries"
        # Every search first asks whether the table changed (``load_index``: count, newest id and
        # write, versions): this index answers it without reading the rows (SQLite: 240 ms → 8 ms
        # at 10,000 entries, whose rows hold the sketches).
        indexes = [models.Index(fields=["signature_version", "computed_at"], name="relatives_entry_state")]

    def __str__(self) -> str:
        return f"relatives entry of checkpoint {self.checkpoint_id} (signature {self.signature_version})"


class RelativesDigest(models.Model):
    """One informative tensor of an entry: ``prefix`` is the first 64 bits of its digest as a signed
    integer (two different tensors share one with probability 2⁻⁶⁴), ``position`` its place in the
    entry (the query's own tensors are read back in order)."""

    pk = models.CompositePrimaryKey("entry_id", "position")
    entry = models.ForeignKey(
        RelativesEntry, on_delete=models.CASCADE, related_name="digests", db_index=False
    )
    position = models.IntegerField()
    prefix = models.BigIntegerField()
    nbytes = models.BigIntegerField()
    layer = models.IntegerField(null=True)

    class Meta:
        # The primary key (entry, position) serves the cascade on delete and reading one entry's
        # tensors; this index is the lookup by digest.
        indexes = [models.Index(fields=["prefix"], name="relatives_digest_prefix")]

    def __str__(self) -> str:
        return f"tensor {self.position} of {self.entry}: {self.prefix & (2**64 - 1):016x}"
