"""Emailing editors what the editors' desk shows, each attention item once.

``desk_send_digest`` collects the desk's items (``claims.selectors.desk``), keeps those never sent
before, and emails them in one digest to every active member of the Editors group who has an
email address, through Django's email settings (``EMAIL_URL``; the console by default). The items
are claimed before sending by inserting their keys into ``DeskNotice`` under this digest's batch id
(the key is unique), so two digests running at once never send one item twice; if sending fails,
the claim is released and the next digest tries again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from claims.models import DeskNotice
from claims.selectors.desk import DeskSection, editors_desk

EDITORS_GROUP = "Editors"


@dataclass
class DigestResult:
    items: int  # new items in the digest (0: nothing sent)
    recipients: int


def desk_recipients() -> list[str]:
    """Email addresses of the active Editors (one query)."""
    users = get_user_model().objects.filter(groups__name=EDITORS_GROUP, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def desk_send_digest(*, base_url: str = "", today: dt.date | None = None) -> DigestResult:
    """Email the desk's items not sent before (see the module docstring). ``base_url`` (e.g.
    ``https://provenance.example.org``) makes the admin links absolute."""
    recipients = desk_recipients()
    if not recipients:
        return DigestResult(items=0, recipients=0)
    sections = editors_desk(today=today)
    keys = [item.key for section in sections for item in section.items]
    batch = uuid.uuid4()
    with transaction.atomic():
        DeskNotice.objects.bulk_create([DeskNotice(key=k, batch=batch) for k in keys], ignore_conflicts=True)
    ours = set(DeskNotice.objects.filter(batch=batch).values_list("key", flat=True))
    new = [
        DeskSection(key=s.key, title=s.title, items=[i for i in s.items if i.key in ours]) for s in sections
    ]
    new = [section for section in new if section.items]
    if not new:
        return DigestResult(items=0, recipients=len(recipients))
    count = sum(len(section.items) for section in new)
    body = render_to_string(
        "claims/desk_digest.txt",
        {
            "sections": new,
            "base_url": base_url.rstrip("/"),
            "count": count,
            "desk_url": reverse("admin:index"),
        },
    )
    subject = f"[Provenance] {count} new item{'s' if count != 1 else ''} on the editors' desk"
    try:
        with get_connection() as connection:
            # One message per editor: addresses are not shown to each other.
            messages = [
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection)
                for to in recipients
            ]
            connection.send_messages(messages)
    except Exception:
        DeskNotice.objects.filter(batch=batch).delete()  # not sent: the next digest tries again
        raise
    DeskNotice.objects.filter(batch=batch).update(sent_at=timezone.now())
    return DigestResult(items=count, recipients=len(recipients))
