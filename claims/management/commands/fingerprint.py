"""``manage.py fingerprint PATH_A PATH_B``: register two checkpoints and compute their report here.
A PATH may be a hub source (``hf:Org/Name@rev``, ``hub:<name>:Org/Name@rev``): it is downloaded
here first, as the acquisition worker would.

The operator's way to analyse real weights: the same services and runner as the worker, run
synchronously in this process with progress on stderr, so a report exists in the knowledge base
(and its evidence record, ready to be linked to claims) when the command returns.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from claims.errors import ProvenanceError
from claims.models import AIModel, EvidenceArtifact, FingerprintReport, Party
from claims.pipeline.downloads.runner import acquisition_run
from claims.pipeline.reports.runner import report_run
from claims.services import (
    checkpoint_acquire,
    checkpoint_register,
    record_delete,
    record_get_or_create,
    report_request,
)
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.parameters import PARAMETERS
from provenance.fingerprint.parameters import validate as validate_parameters
from provenance.fingerprint.progress import progress_reporter
from provenance.fingerprint.report import resolve_methods
from provenance.fingerprint.sources import SourceError, is_source, parse_source
from provenance.fingerprint.table import format_report

UNATTRIBUTED = "unattributed-checkpoints"


class Command(BaseCommand):
    help = "Register two checkpoints under MODEL_STORE and compute their fingerprint report synchronously."

    def add_arguments(self, parser):
        parser.add_argument(
            "path_a",
            help="Folder or .safetensors file inside MODEL_STORE, or hf:Org/Name@revision (downloaded).",
        )
        parser.add_argument("path_b")
        parser.add_argument(
            "--model-a",
            help="Slug of the AI model of PATH_A (default: a draft model named after the folder).",
        )
        parser.add_argument("--model-b", help="Slug of the AI model of PATH_B.")
        parser.add_argument("--revision-a", default="local")
        parser.add_argument("--revision-b", default="local")
        parser.add_argument("--methods", default="all", help="Comma-separated method names, or 'all'.")
        parser.add_argument(
            "--evidence", type=int, help="Id of the evidence artifact (kind analysis) that cites the report."
        )
        for parameter in PARAMETERS.values():
            parser.add_argument(
                parameter.flag,
                type=int,
                help=f"{parameter.help} {parameter.minimum}-{parameter.maximum} (default: {parameter.default})",
            )

    def handle(self, *args, **options):
        given = {name: options[name] for name in PARAMETERS if options[name] is not None}
        try:
            parameters = validate_parameters(given)  # before registering anything
            resolve_methods(options["methods"], weights=True)
        except FingerprintError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        evidence = self._evidence(options["evidence"])
        # What this run registered: removed again if it fails before its report exists, so a
        # failed run leaves no draft model or checkpoint behind and the same command can be retried.
        created: list = []
        try:
            try:
                with transaction.atomic():
                    a = self._register(options["path_a"], options["model_a"], options["revision_a"], created)
                    b = self._register(options["path_b"], options["model_b"], options["revision_b"], created)
            except BaseException:
                created.clear()  # rolled back
                raise
            for checkpoint in (a, b):
                self._download(checkpoint)
            report, _created = report_request(
                checkpoint_a=a,
                checkpoint_b=b,
                methods=options["methods"],
                parameters=parameters,
                user=None,
                evidence=evidence,
                enqueue=False,
            )
        except ValidationError as exc:
            self._remove(created)
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from None
        except (ProvenanceError, SourceError) as exc:
            self._remove(created)
            raise CommandError(str(exc)) from None
        except BaseException:
            self._remove(created)
            raise

        if report.status == FingerprintReport.Status.SUCCEEDED:
            self.stdout.write(f"Report {report.slug} was already computed.")
        else:
            with progress_reporter("reading weights", stream=sys.stderr) as progress:
                outcome = report_run(report_id=report.pk, on_progress=progress)
            report.refresh_from_db()
            if outcome == "skipped":
                raise CommandError(f"Report {report.slug} is being computed by a worker; see the admin.")
        if report.status == FingerprintReport.Status.FAILED:
            raise CommandError(f"Report {report.slug} failed: {report.error_message}")
        self.stdout.write(self.style.SUCCESS(f"Report {report.slug}: {report.result['verdict']}"))
        # The engine's own table, as `python -m provenance.fingerprint compare` prints it.
        self.stdout.write(format_report(report.result_as_read), ending="")

    @staticmethod
    def _remove(created: list) -> None:
        """Delete the rows this run created (newest first) through the service every delete uses.
        A downloaded checkpoint's verified files stay in the model cache: a retry finds them there."""
        with transaction.atomic():
            for record in reversed(created):
                try:
                    with transaction.atomic():
                        record_delete(record=record, user=None, reason="manage.py fingerprint failed")
                except ProtectedError:  # something else refers to it by now: it stays
                    pass

    def _register(self, path: str, model_slug: str | None, revision: str, created: list):
        source = parse_source(path) if is_source(path) else None
        if model_slug:
            try:
                model = AIModel.objects.get(slug=model_slug)
            except AIModel.DoesNotExist:
                raise CommandError(f"No AI model with slug {model_slug!r}.") from None
        else:
            model = self._unattributed_model(
                source.repo.split("/")[-1] if source else Path(path).resolve().name, created
            )
        if source is not None:
            label = "" if revision == "local" else revision  # default: the source's revision
            checkpoint, new = checkpoint_acquire(model=model, source=source, revision=label, user=None)
        else:
            checkpoint, new = checkpoint_register(model=model, revision=revision, location=path, user=None)
        if new:
            created.append(checkpoint)
        return checkpoint

    def _download(self, checkpoint) -> None:
        """Download a hub checkpoint here (a worker given the same download later finds it done)."""
        if not checkpoint.is_acquiring:
            return
        with progress_reporter(f"downloading {checkpoint.source_display}", stream=sys.stderr) as progress:
            acquisition_run(checkpoint_id=checkpoint.pk, on_progress=progress)
        checkpoint.refresh_from_db()
        if checkpoint.acquisition_status == checkpoint.Acquisition.FAILED:
            raise CommandError(f"{checkpoint.source_display}: {checkpoint.acquisition_error}")

    @staticmethod
    def _unattributed_model(name: str, created: list) -> AIModel:
        reason = "Registered by manage.py fingerprint"
        party, new_party = record_get_or_create(
            model=Party,
            lookup={"slug": UNATTRIBUTED},
            defaults={
                "name": "Unattributed checkpoints",
                "kind": Party.Kind.ORGANISATION,
                "note": "Checkpoints registered from the command line before an editor attributed them.",
            },
            user=None,
            reason=reason,
        )
        model, new_model = record_get_or_create(
            model=AIModel,
            lookup={"developer": party, "name": name},
            defaults={"slug": slugify(f"unattributed-{name}")[:120]},
            user=None,
            reason=reason,
        )
        created.extend(row for row, new in ((party, new_party), (model, new_model)) if new)
        return model

    @staticmethod
    def _evidence(evidence_id: int | None) -> EvidenceArtifact | None:
        if evidence_id is None:
            return None
        try:
            return EvidenceArtifact.objects.get(pk=evidence_id)
        except EvidenceArtifact.DoesNotExist:
            raise CommandError(f"No evidence artifact with id {evidence_id}.") from None
