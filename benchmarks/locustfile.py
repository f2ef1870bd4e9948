"""Locust users for the whole-stack load test (run by ``benchmarks/bench_load.py``, which says how).

Three kinds of user, in the proportions of a news site's traffic:

* ``Reader`` (anonymous, browser-like): the home page, the dispute list, disputes (the large one
  too), claims, parties, models, evidence, search, a fingerprint report and its chart, and pages it has
  seen asked for again with ``If-None-Match``, as a browser does (a 304 is a success);
* ``ApiClient`` (anonymous): pages through the lists, with and without ``?expand=``;
* ``Editor`` (API token): creates a party, edits it, publishes it (every write bumps the content
  version, so readers' caches turn over under load), and requests a fingerprint report of two tiny
  checkpoints (a new seed each time, so the Celery worker really computes it) and polls it.

Every request is named by its kind (``TASK_NAMES``), so the driver can check that each kind ran.
``trivial`` (``/robots.txt``: the middleware stack, no database) is the baseline, measured in the
same run. The data (slugs, token, checkpoint ids) come from the JSON file named by ``LOAD_DATA``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, task

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text()) if os.environ.get("LOAD_DATA") else {}

TASK_NAMES = (
    "trivial",
    "page: home",
    "page: dispute list",
    "page: dispute",
    "page: large dispute",
    "page: claim",
    "page: party",
    "page: model",
    "page: evidence",
    "page: search",
    "page: report",
    "page: chart",
    "page: revalidated",
    "api: list",
    "api: list expand",
    "api: detail",
    "editor: write",
    "editor: publish",
    "editor: report request",
    "editor: report poll",
)


def pick(kind: str) -> str:
    return random.choice(DATA[kind])


def weighted(weight: int):
    """Mark a method as one of its class's actions, chosen with this weight (see ``Scripted``)."""

    def mark(method):
        method.weight = weight
        return method

    return mark


class Scripted(HttpUser):
    """A user whose class runs each of its actions once first (so a short run covers every kind of
    request), then picks them at random by weight."""

    abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.actions = [m for m in vars(cls).values() if callable(m) and hasattr(m, "weight")]
        cls.turns = itertools.count()

    @task
    def act(self) -> None:
        turn = next(type(self).turns)
        actions = type(self).actions
        if turn < len(actions):
            action = actions[turn]
        else:
            action = random.choices(actions, weights=[a.weight for a in actions])[0]
        action(self)


class Reader(Scripted):
    weight = 6
    wait_time = between(0.1, 0.5)
    etags: dict[str, str]

    def on_start(self) -> None:
        self.etags = {}

    def page(self, path: str, name: str, headers: dict | None = None) -> None:
        with self.client.get(path, name=name, headers=headers or {}, catch_response=True) as response:
            if response.status_code in (200, 304):
                if response.headers.get("ETag"):
                    self.etags[path] = response.headers["ETag"]
                response.success()
            else:
                response.failure(f"{response.status_code} for {path}")

    @weighted(3)
    def revalidate(self) -> None:
        """A browser asking again for a page it has (a 304 when nothing changed since)."""
        if not self.etags:
            self.page("/", "page: home")
        path = random.choice(list(self.etags))
        self.page(path, "page: revalidated", {"If-None-Match": self.etags[path]})

    @weighted(2)
    def trivial(self) -> None:
        self.client.get("/robots.txt", name="trivial")

    @weighted(2)
    def home(self) -> None:
        self.page("/", "page: home")

    @weighted(2)
    def dispute_list(self) -> None:
        self.page(f"/disputes/?page={random.randint(1, 3)}", "page: dispute list")

    @weighted(4)
    def dispute(self) -> None:
        self.page(f"/disputes/{pick('disputes')}/", "page: dispute")

    @weighted(1)
    def large_dispute(self) -> None:
        self.page(f"/disputes/{DATA['large_dispute']}/", "page: large dispute")

    @weighted(3)
    def claim(self) -> None:
        self.page(f"/claims/{pick('claims')}/", "page: claim")

    @weighted(1)
    def party(self) -> None:
        self.page(f"/parties/{pick('parties')}/", "page: party")

    @weighted(1)
    def model(self) -> None:
        self.page(f"/models/{pick('models')}/", "page: model")

    @weighted(1)
    def evidence(self) -> None:
        self.page(f"/evidence/{pick('evidence')}/", "page: evidence")

    @weighted(1)
    def search(self) -> None:
        self.page(
            f"/search/?q={random.choice(['pangu', 'qwen upcycling', 'licence', 'model weights'])}",
            "page: search",
        )

    @weighted(1)
    def report(self) -> None:
        self.page(f"/reports/{DATA['report']}/", "page: report")

    @weighted(1)
    def chart(self) -> None:
        self.page(f"/reports/{DATA['report']}/charts/sigma_curves.svg", "page: chart")


class ApiClient(Scripted):
    weight = 3
    wait_time = between(0.1, 0.5)
    lists = ("disputes", "claims", "evidence", "parties", "models")
    expand = {"disputes": "claims", "claims": "dispute,claimant", "evidence": "author", "models": "developer"}

    def pages(self, url: str, name: str, count: int) -> None:
        """The first ``count`` pages of a list, following its ``next`` links (page or cursor)."""
        for _ in range(count):
            response = self.client.get(url, name=name)
            url = response.json().get("next") if response.status_code == 200 else None
            if not url:
                break

    @weighted(3)
    def list_pages(self) -> None:
        self.pages(f"/api/v1/{random.choice(self.lists)}/", "api: list", random.randint(1, 3))

    @weighted(2)
    def list_expanded(self) -> None:
        kind = random.choice(list(self.expand))
        self.pages(f"/api/v1/{kind}/?expand={self.expand[kind]}", "api: list expand", random.randint(1, 2))

    @weighted(2)
    def detail(self) -> None:
        self.client.get(f"/api/v1/claims/{pick('claims')}/", name="api: detail")


class Editor(Scripted):
    fixed_count = 1  # one editor whatever the number of users: a newsroom, not a crowd
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {DATA['token']}"
        self.reports: list[str] = []

    @weighted(1)
    def request_report(self) -> None:
        response = self.client.post(
            "/api/v1/reports/",
            json={
                "checkpoint_a": DATA["checkpoints"][0],
                "checkpoint_b": DATA["checkpoints"][1],
                "methods": ["attn_std", "tensor_identity"],
                "parameters": {"null_size": 8, "seed": random.randint(1, 2**31 - 1)},
            },
            name="editor: report request",
        )
        if response.status_code in (200, 201):
            self.reports.append(response.json()["slug"])
            self.poll_report()  # an editor looks at once

    @weighted(2)
    def poll_report(self) -> None:
        slug = self.reports[-1] if self.reports else DATA["report"]
        self.client.get(f"/api/v1/reports/{slug}/", name="editor: report poll")

    @weighted(3)
    def write(self) -> None:
        slug = f"load-{uuid.uuid4().hex[:12]}"
        created = self.client.post(
            "/api/v1/parties/",
            json={"slug": slug, "name": f"Load test lab {slug}", "kind": "lab"},
            name="editor: write",
        )
        if created.status_code != 201:
            return
        self.client.patch(
            f"/api/v1/parties/{slug}/", json={"note": "Edited under load."}, name="editor: write"
        )
        self.client.post(f"/api/v1/parties/{slug}/publish/", name="editor: publish")
