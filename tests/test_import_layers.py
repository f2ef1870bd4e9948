"""The import layers of ``claims``: the models import no service, pipeline, job or task (they read
the lease's constants from ``claims.lease``); the lease imports none of them when it is loaded; the
services send work through ``claims.jobs``, never through the pipeline's jobs or the tasks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLAIMS = Path(__file__).resolve().parents[1] / "claims"


def imported(path: Path, *, module_level_only: bool = False) -> set[str]:
    """The modules ``path`` imports (``from claims import tasks`` counts as ``claims.tasks``)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if module_level_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def offending(paths, forbidden: tuple[str, ...], **kwargs) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        bad = sorted(n for n in imported(path, **kwargs) if n.startswith(forbidden))
        if bad:
            found[str(path.relative_to(CLAIMS.parent))] = bad
    return found


def test_the_models_import_no_service_pipeline_job_or_task():
    forbidden = ("claims.pipeline", "claims.services", "claims.tasks", "claims.jobs")
    assert offending(sorted((CLAIMS / "models").glob("*.py")), forbidden) == {}


def test_the_lease_loads_without_services_pipeline_or_tasks():
    forbidden = ("claims.pipeline", "claims.services", "claims.tasks", "claims.jobs", "claims.models")
    assert offending([CLAIMS / "lease.py"], forbidden, module_level_only=True) == {}


@pytest.mark.parametrize("job", ["reports", "downloads", "captures"])
def test_the_services_send_work_through_the_jobs_not_the_pipeline(job):
    forbidden = (f"claims.pipeline.{job}", "claims.tasks")
    assert offending(sorted((CLAIMS / "services").glob("*.py")), forbidden) == {}
