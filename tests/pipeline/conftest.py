"""Fixtures of the pipeline tests: a model store with real synthetic checkpoints in it.

The lineage set is written once per test session (about 45 MB, two seconds) by the engine's own
generator; each test gets its own checkpoint rows pointing at those files.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from claims.demo.hub_server import HubRepo, HubServer
from claims.models import Checkpoint
from claims.services import checkpoint_register
from provenance.celery import app as celery_app
from provenance.fingerprint.sources import parse_hubs
from provenance.fingerprint.synthetic import build_lineage_set
from tests.factories import AIModelFactory
from tests.pipeline.worker_process import purge_task_queues


@pytest.fixture(scope="session")
def lineage_store(tmp_path_factory) -> Path:
    """A model store holding the tiny synthetic lineage set (base, finetune, independent, ...)."""
    store = tmp_path_factory.mktemp("model-store")
    build_lineage_set(store / "lineage", size="tiny", seed=0)
    return store


@pytest.fixture(scope="session")
def prints(lineage_store) -> dict:
    """The engine's fingerprints of base, finetune and independent (computed once per session)."""
    from provenance.fingerprint.stats import fingerprint_checkpoint

    return {
        name: fingerprint_checkpoint(lineage_store / "lineage" / name)
        for name in ("base", "finetune", "independent")
    }


@pytest.fixture
def hub(lineage_store, settings, tmp_path):
    """The test hub serving the lineage set as Org/<name>, configured as the hub ``testhub``; the
    downloads go to a fresh MODEL_CACHE_DIR inside the model store."""
    cache = (tmp_path / "hub-cache").resolve()
    cache.mkdir()
    settings.MODEL_STORE = [lineage_store.resolve(), cache]
    settings.MODEL_CACHE_DIR = cache
    with HubServer() as server:
        for name in ("base", "finetune", "independent"):
            server.add(HubRepo.from_folder(f"Org/{name}", lineage_store / "lineage" / name))
        settings.HUBS = parse_hubs(server.hubs_setting())
        yield server


@pytest.fixture
def model_store(lineage_store, settings) -> Path:
    settings.MODEL_STORE = [lineage_store.resolve()]
    return lineage_store


@pytest.fixture
def register(model_store):
    """``register(name)`` → a Checkpoint of the lineage model ``name`` (a fresh AI model row each)."""

    def make(name: str, *, location: str | None = None) -> Checkpoint:
        checkpoint, _created = checkpoint_register(
            model=AIModelFactory(name=f"Synthetic {name}"),
            revision="v1",
            location=location or f"lineage/{name}",
            user=None,
        )
        return checkpoint

    return make


@pytest.fixture
def copy_of(model_store):
    """``copy_of(name)`` → location (in the store) of a private copy of lineage model ``name``."""

    def make(name: str) -> str:
        target = model_store / f"copy-{uuid.uuid4().hex[:8]}-{name}"
        shutil.copytree(model_store / "lineage" / name, target)
        return str(target)

    return make


def truncate_last_shard(location: str) -> Path:
    """Cut the last shard of a checkpoint in half, as an interrupted download leaves it."""
    shard = sorted(Path(location).glob("*.safetensors"))[-1]
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])
    return shard


class BrokerOutage:
    """Points the Celery app of the test process at a port where nothing listens, as when Redis is
    down; ``restore()`` brings the real broker back."""

    DEAD_URL = "redis://127.0.0.1:9/0"

    def __init__(self) -> None:
        self.saved = celery_app.conf.broker_write_url
        self._point_at(self.DEAD_URL)

    def _point_at(self, url: str | None) -> None:
        celery_app.conf.broker_write_url = url
        celery_app._pool = None  # connections are pooled: drop them so the next send reconnects
        celery_app.amqp._producer_pool = None

    def restore(self) -> None:
        self._point_at(self.saved)


@pytest.fixture
def broker_down():
    outage = BrokerOutage()
    yield outage
    outage.restore()


@pytest.fixture
def empty_queues():
    """Drop messages left in the broker by earlier tests, so each worker test starts clean."""
    purge_task_queues()
