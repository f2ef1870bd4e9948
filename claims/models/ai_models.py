"""AI models and their checkpoints (one concrete set of weights each).

*Declared* lineage (what the developer says a model is based on) lives here; *alleged* lineage is
a claim, and lives in ``claims.models.claims``. Keeping them apart is the point of the project.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from claims.models.base import (
    DatePrecision,
    PublicRecord,
    format_date,
    history,
    not_in_future,
    public_record_constraints,
    publish_permission,
)
from claims.models.constraints import ChecksInOneQuery
from claims.models.grammar import relation_phrase
from claims.models.urls import slug_url
from claims.models.visibility import PublicQuerySet
from provenance.fingerprint.sources import GitSource, HubSource


class AIModel(PublicRecord):
    class Relation(models.TextChoices):
        FINE_TUNE = "fine_tune", "fine-tune"
        QUANTISED = "quantised", "quantised"
        MERGE = "merge", "merge"
        DISTILLED = "distilled", "distilled"
        UPCYCLED = "upcycled", "upcycled"
        PRUNED = "pruned", "pruned"

    name = models.CharField(max_length=200)
    developer = models.ForeignKey("claims.Party", on_delete=models.PROTECT, related_name="models_developed")
    family = models.CharField(max_length=100, blank=True, help_text="e.g. Qwen2.5, Pangu.")
    architecture = models.CharField(max_length=200, blank=True, help_text="e.g. dense, mixture of experts.")
    parameters_total = models.PositiveBigIntegerField(null=True, blank=True)
    parameters_active = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="For mixture-of-experts models: parameters used per token."
    )
    layer_count = models.PositiveIntegerField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True, validators=[not_in_future])
    release_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    release_date_source = models.ForeignKey(
        "claims.EvidenceArtifact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    licence = models.CharField(max_length=200, blank=True)
    homepage = models.URLField(max_length=500, blank=True)
    hub_id = models.CharField(max_length=200, blank=True, help_text="e.g. Qwen/Qwen2.5-14B.")
    declared_base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declared_derivatives",
        help_text="Only what the developer itself declares. Alleged lineage belongs in a claim.",
    )
    declared_relation = models.CharField(max_length=12, choices=Relation.choices, blank=True)
    description = models.TextField(blank=True, help_text="Markdown. Include discrepancies between sources.")

    history = history()

    class Meta:
        ordering = ["name"]
        verbose_name = "AI model"
        permissions = [publish_permission("aimodel", "AI models")]
        constraints = [
            *public_record_constraints("aimodel"),
            models.UniqueConstraint(fields=["developer", "name"], name="aimodel_unique_name_per_developer"),
            models.CheckConstraint(
                condition=Q(declared_base__isnull=True, declared_relation="")
                | (Q(declared_base__isnull=False) & ~Q(declared_relation="")),
                name="aimodel_declared_base_has_relation",
                violation_error_message="A declared base model needs its relation, and a relation needs a base.",
            ),
            models.CheckConstraint(
                condition=~Q(declared_base=F("pk")),
                name="aimodel_not_own_base",
                violation_error_message="A model cannot be its own declared base.",
            ),
            models.CheckConstraint(
                condition=Q(parameters_active__isnull=True)
                | Q(parameters_total__isnull=True)
                | Q(parameters_active__lte=F("parameters_total")),
                name="aimodel_active_within_total",
                violation_error_message="Active parameters cannot exceed the total.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("claims:aimodel-detail", self.slug)

    @property
    def public_body(self) -> str:
        return self.description

    @property
    def release_date_display(self) -> str:
        return format_date(self.release_date, self.release_date_precision)

    @property
    def declared_relation_phrase(self) -> str:
        """ "a fine-tune of", "an upcycled version of": how the declared relation reads before the
        base model's name (``claims.models.grammar``); "" without a declared base."""
        return relation_phrase(self.declared_relation)

    def public_dependencies(self) -> list[PublicRecord]:
        return [r for r in (self.developer, self.declared_base, self.release_date_source) if r]


class Checkpoint(ChecksInOneQuery, models.Model):
    """One set of weights. Hashes and sizes are filled in by the worker, not typed by editors.

    Writes go through ``claims.services.checkpoints``. Once the weights are hashed, the fields that
    say *which* weights these are (``IDENTITY_FIELDS``) no longer change: reports and claims cite
    the hash, so other weights are a new checkpoint. ``clean()`` enforces it for every door.
    """

    # What makes up the content identity: the weights it names, and how they are read.
    IDENTITY_FIELDS = (
        "model", "revision", "format", "location", "uploaded_file", "source_kind", "source_hub", "source_repo",
        "source_revision", "source_file",
    )  # fmt: skip
    # What the pipeline writes after inspecting the files (headers at registration, hashes later).
    INSPECTED_FIELDS = (
        "total_size", "file_hashes", "content_hash", "config", "tokenizer_digest", "layout_family",
        "layer_count", "file_stats",
    )  # fmt: skip

    public_requires = ("model",)

    class Format(models.TextChoices):
        SAFETENSORS = "safetensors", "safetensors"
        GGUF = "gguf", "GGUF"

    class SourceKind(models.TextChoices):
        LOCAL = "local", "model store or upload"
        HUB = "hub", "model hub"
        GIT = "git", "git repository with LFS"

    class Acquisition(models.TextChoices):
        NONE = "", "not needed"
        QUEUED = "queued", "waiting to download"
        RUNNING = "running", "downloading"
        DONE = "done", "downloaded and verified"
        FAILED = "failed", "download failed"
        EVICTED = "evicted", "removed from the cache (downloaded again when a report needs it)"
        FINGERPRINTED = "fingerprinted", "fingerprinted shard by shard, then deleted (larger than the cache)"

    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="checkpoints")
    revision = models.CharField(max_length=200, help_text="Hub commit, tag or release name.")
    format = models.CharField(max_length=12, choices=Format.choices, default=Format.SAFETENSORS)
    location = models.CharField(
        max_length=1000,
        blank=True,
        help_text="A folder or file under the configured model store (MODEL_STORE).",
    )
    uploaded_file = models.FileField(
        upload_to="checkpoints/%Y/%m/", blank=True, help_text="Small models only."
    )
    total_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False, help_text="Bytes.")
    file_hashes = models.JSONField(default=dict, blank=True, editable=False, help_text="File name → SHA-256.")
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    config = models.JSONField(
        default=dict, blank=True, editable=False, help_text="The checkpoint's config.json."
    )
    tokenizer_digest = models.CharField(max_length=64, blank=True, editable=False)
    # Filled from the safetensors headers by the pipeline (claims.pipeline.checkpoints).
    layout_family = models.CharField(
        max_length=40, blank=True, editable=False, help_text="e.g. qwen2, llama."
    )
    layer_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    file_stats = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="File name → size and modification time, to spot changes.",
    )
    # Where the weights come from: the model store (location or upload), or a hub the operator
    # configured (HUBS), by repository and revision, fetched by the acquisition worker into
    # MODEL_CACHE_DIR (claims.pipeline.downloads.runner), which then fills location and the fields below.
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices, default=SourceKind.LOCAL)
    source_hub = models.CharField(max_length=40, blank=True, help_text="One of the operator's HUBS.")
    source_repo = models.CharField(
        max_length=500,
        blank=True,
        help_text="Repository ID (e.g. Qwen/Qwen2.5-14B), or a git repository's URL.",
    )
    source_revision = models.CharField(
        max_length=200, blank=True, help_text="The branch, tag or commit asked for."
    )
    source_file = models.CharField(
        max_length=300,
        blank=True,
        help_text="One GGUF file of the hub repository (e.g. model-Q4_K_M.gguf; any part of a split set "
        "names the whole set), for a repository holding several quantisations; empty: the repository's weights.",
    )
    source_commit = models.CharField(
        max_length=64, blank=True, editable=False, help_text="The commit the revision resolved to."
    )
    source_files = models.JSONField(
        default=list, blank=True, editable=False, help_text="Files fetched: name, size, SHA-256."
    )
    acquisition_status = models.CharField(
        max_length=16, choices=Acquisition.choices, default=Acquisition.NONE, blank=True, editable=False
    )
    acquisition_bytes = models.PositiveBigIntegerField(default=0, editable=False)
    acquisition_total = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    acquisition_error = models.TextField(blank=True, editable=False)
    acquisition_heartbeat = models.DateTimeField(null=True, blank=True, editable=False)
    cache_used_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Last download or report: the cache evicts the oldest.",
    )
    note = models.TextField(blank=True, help_text="Markdown. Where these weights came from.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history(excluded_fields=["acquisition_bytes", "acquisition_heartbeat", "cache_used_at"])

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["model__name", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "revision"], name="checkpoint_unique_revision_per_model"
            ),
            models.CheckConstraint(
                condition=Q(location="") | Q(uploaded_file=""),
                name="checkpoint_one_location",
                violation_error_message="Give a model-store location or upload a file, not both.",
            ),
            models.CheckConstraint(
                condition=Q(source_kind="local", source_hub="", source_repo="")
                | (Q(source_kind="hub") & ~Q(source_hub="") & ~Q(source_repo="") & Q(uploaded_file=""))
                | (Q(source_kind="git", source_hub="") & ~Q(source_repo="") & Q(uploaded_file="")),
                name="checkpoint_source_complete",
                violation_error_message="A hub checkpoint names its hub and repository, a git one its URL, "
                "and nothing is uploaded.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} @ {self.revision}"

    def clean(self) -> None:
        stored = self._stored_identity()
        # The worker reads whatever path is stored here: only folders under MODEL_STORE are allowed,
        # so an editor cannot make it read /etc/passwd. Stored resolved, so it cannot change meaning.
        # An unchanged location is not re-resolved: a note can be edited after the files have moved.
        if self.location and self.location != stored.get("location"):
            self.location = str(resolve_location(self.location))
        if stored.get("content_hash"):
            changed = [name for name in self.IDENTITY_FIELDS if self._identity_value(name) != stored[name]]
            if changed:
                raise ValidationError(
                    {
                        name: f"The weights of “{self}” are hashed ({stored['content_hash'][:12]}), so its "
                        f"{self._meta.get_field(name).verbose_name} no longer changes: register the "
                        "other weights as a new checkpoint."
                        for name in changed
                    }
                )

    @property
    def is_hashed(self) -> bool:
        return bool(self.content_hash)

    @property
    def is_acquiring(self) -> bool:
        """Its files are still to be downloaded: a report on it waits."""
        return self.acquisition_status in (self.Acquisition.QUEUED, self.Acquisition.RUNNING)

    @property
    def source_display(self) -> str:
        """``hf:Org/Name@rev[:file.gguf]`` for a hub checkpoint, ``git+URL@rev`` for a git one (the
        same text the command line takes), else ""."""
        return self.source_at(self.source_revision)

    def source_at(self, revision: str) -> str:
        """``source_display`` at another revision (e.g. the commit it resolved to)."""
        source = self.engine_source(revision)
        return str(source) if source else ""

    def engine_source(self, revision: str = "") -> HubSource | GitSource | None:
        """The engine's source of this checkpoint's weights (at ``revision``, default its own), or
        None for weights in the model store: the one place a row becomes a source."""
        revision = revision or self.source_revision
        if self.source_kind == self.SourceKind.GIT:
            return GitSource(self.source_repo, revision)
        if self.source_kind != self.SourceKind.HUB:
            return None
        return HubSource(self.source_hub, self.source_repo, revision, self.source_file)

    def _identity_value(self, name: str):
        value = getattr(self, self._meta.get_field(name).attname)
        return (value.name or "") if name == "uploaded_file" else value

    def _stored_identity(self) -> dict:
        """The stored identity fields and content hash ({} for a new row), keyed by field name."""
        if self.pk is None:
            return {}
        fields = {name: self._meta.get_field(name).attname for name in self.IDENTITY_FIELDS}
        row = type(self)._default_manager.filter(pk=self.pk).values("content_hash", *fields.values()).first()
        if row is None:
            return {}
        stored = {name: row[attname] for name, attname in fields.items()}
        stored["uploaded_file"] = stored["uploaded_file"] or ""
        return {"content_hash": row["content_hash"], **stored}


def resolve_location(location: str) -> Path:
    """The absolute, symlink-free path of a model-store location, or a ValidationError on ``location``.

    A relative location is taken inside the first MODEL_STORE folder ("qwen2.5-14b" means
    ``<store>/qwen2.5-14b``); an absolute one must already be inside some MODEL_STORE folder.
    Symlinks are followed before the check, so a link that leaves the store is refused too.
    """
    roots = settings.MODEL_STORE
    if not location or "\x00" in location:
        raise ValidationError({"location": "Give the folder or file of the weights inside the model store."})
    raw = Path(location)
    resolved = (raw if raw.is_absolute() else roots[0] / raw).resolve()
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        names = ", ".join(str(r) for r in roots)
        raise ValidationError(
            {
                "location": f"{location} is outside the model store ({names}); copy or link the weights into it first."
            }
        )
    if not resolved.exists():
        raise ValidationError({"location": f"Nothing is at {resolved}."})
    if not (resolved.is_file() or resolved.is_dir()):
        # A FIFO would block the reader for ever; sockets and devices are not weights either.
        raise ValidationError(
            {"location": f"{resolved} is not a regular file or a folder: give the weights' file or folder."}
        )
    return resolved
