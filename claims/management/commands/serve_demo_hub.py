"""``manage.py serve_demo_hub [--port 8001]``: the demo's synthetic checkpoints on a local model hub.

``make run`` starts it (the ``demohub`` process) and sets ``DEMO_HUB_URL``, which adds a hub named
``demo`` to ``HUBS``: in the admin, *Checkpoints → Add checkpoint from a hub*, hub ``demo``,
repository ``Demo/base`` (or ``Demo/finetune``, ``Demo/pruned``... one per folder of the synthetic
lineage set written by ``load_demo``), then *Preview* and *Add and download*. The server speaks the
Hugging Face endpoints ``huggingface_hub`` calls (``claims/demo/hub_server.py``, the same server the
tests use), on loopback only. Prints one line naming the repositories, then serves until stopped.
"""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.demo.hub_server import HubRepo, HubServer
from claims.demo.synthetic_case import STORE_FOLDER

ORG = "Demo"


def demo_repos(folder) -> list[HubRepo]:
    """One repository ``Demo/<name>`` per checkpoint folder of the synthetic lineage set."""
    return [
        HubRepo.from_folder(f"{ORG}/{path.name}", path)
        for path in sorted(folder.iterdir())
        if path.is_dir() and any(path.glob("*.safetensors"))
    ]


class Command(BaseCommand):
    help = "Serve the demo's synthetic checkpoints as a local Hugging Face-compatible hub (loopback only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8001, help="Port on 127.0.0.1 (default 8001; 0: any)."
        )

    def handle(self, *args, port: int, **options):
        folder = settings.MODEL_STORE[0] / STORE_FOLDER
        if not folder.is_dir():
            raise CommandError(f"{folder} does not exist: run `manage.py load_demo` first.")
        repos = demo_repos(folder)
        if not repos:
            raise CommandError(f"{folder} holds no checkpoints: run `manage.py load_demo` again.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        with HubServer(port=port) as hub:
            for repo in repos:
                hub.add(repo)
            names = ", ".join(r.repo_id for r in repos)
            self.stdout.write(f"Demo hub at {hub.endpoint}: {names}", ending="\n")
            self.stdout.flush()
            stop.wait()
