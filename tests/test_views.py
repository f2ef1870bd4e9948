"""The public detail pages behind ``get_absolute_url``: readers see published and retracted records."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import ClaimFactory, DisputeFactory, PartyFactory

pytestmark = pytest.mark.django_db


def test_a_reader_sees_a_published_record(client):
    dispute = DisputeFactory(published=True, title="Pangu vs Qwen", summary="**A** case")
    page = client.get(dispute.get_absolute_url())
    assert page.status_code == 200
    assert "Pangu vs Qwen" in page.content.decode() and "<strong>A</strong>" in page.content.decode()


def test_a_draft_is_not_found(client):
    assert client.get(PartyFactory().get_absolute_url()).status_code == 404


def test_a_retracted_record_stays_visible_with_its_note(client):
    claim = ClaimFactory(
        published=True,
        status="retracted",
        retracted_at=timezone.now(),
        retraction_note="The *source* was forged.",
    )
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Record retracted by Provenance on" in page and "The <em>source</em> was forged." in page


def test_markdown_on_a_public_page_is_sanitised(client):
    party = PartyFactory(published=True, note="<script>alert(1)</script>[x](javascript:alert(1))")
    page = client.get(party.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "javascript:" not in page
