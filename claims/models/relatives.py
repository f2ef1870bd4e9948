"""The lineage-search index (issue 24): one row per kept fingerprint, holding its engine entry.

``entry`` is ``provenance.fingerprint.relatives.entry_of(...).to_dict()`` (the informative tensors'
digest prefixes with bytes and layers, and the signature), ``signature_version`` the engine's
``SIGNATURE_VERSION`` it was computed with: an entry of another version is never compared (the
selector leaves it out with a sentence; ``manage.py relatives_index`` computes it again).

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
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["computed_at", "pk"]
        verbose_name_plural = "relatives entries"

    def __str__(self) -> str:
        return f"relatives entry of checkpoint {self.checkpoint_id} (signature {self.signature_version})"
