"""A record's public state as readers are told it: the one wording of a retraction.

A retracted record stays public (``claims.models.visibility``), so every place that names it - a
page, a list, a link, a feed item, a card, JSON-LD, an API object - must also say that Provenance
retracted its record, and when. This module is where those words are made, from the record's
current row (never stored with a computed text):

* ``retraction_of(record)``: a ``Retraction`` (date, note, the sentence "Record retracted by
  Provenance on 7 December 2026") or None for a record that is not retracted;
* ``stated_name(name, record)``: a name followed by that sentence in brackets, for plain text
  (feeds, cards, page titles, JSON-LD); pages use the badge of ``{% retraction_badge %}``, the API
  the ``retraction`` object, with the same words.

The sentence names Provenance on purpose: "Retracted" beside a claim's assessment read as if the
claimant had withdrawn their statement; it is our record of it that was retracted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

RETRACTED = "retracted"


@dataclass(frozen=True)
class Retraction:
    """Provenance retracted its record ``at`` (a UTC datetime), for the reason in ``note`` (Markdown)."""

    at: datetime | None
    note: str

    @property
    def date_display(self) -> str:
        if self.at is None:
            return ""
        day = self.at.astimezone(UTC).date()
        return f"{day.day} {day:%B %Y}"

    @property
    def label(self) -> str:
        """ "Record retracted by Provenance on 7 December 2026"."""
        when = f" on {self.date_display}" if self.at is not None else ""
        return f"Record retracted by Provenance{when}"

    def as_json(self) -> dict:
        """The API's ``retraction`` object (the same words as the pages)."""
        return {
            "retracted_at": self.at.isoformat().replace("+00:00", "Z") if self.at else None,
            "note": self.note,
            "label": self.label,
        }


def retraction_of(record) -> Retraction | None:
    """``record``'s retraction, or None (not retracted, or a row without an editorial status)."""
    if record is None or getattr(record, "status", None) != RETRACTED:
        return None
    if not getattr(record, "has_editorial_status", False):
        return None  # a report's ``status`` is its computation's
    return Retraction(at=record.retracted_at, note=record.retraction_note)


def retraction_json(record) -> dict | None:
    """``record``'s ``retraction`` object for JSON (``Retraction.as_json``), None when not retracted."""
    retraction = retraction_of(record)
    return retraction.as_json() if retraction else None


STATE_FIELDS = ("status", "retracted_at", "retraction_note")


def named_choices(queryset, field: str = "name") -> list[tuple[str, str]]:
    """(slug, name) of each row of ``queryset`` for a filter's choices, sorted by the ``field`` that
    names a row ("name", or a dispute's "title"), each name stated (``stated_name``)."""
    rows = queryset.distinct().order_by(field).only("slug", field, *STATE_FIELDS)
    return [(row.slug, stated_name(getattr(row, field), row)) for row in rows]


def stated_name(name: str, record) -> str:
    """``name`` for plain text, followed by the retraction when ``record`` is retracted."""
    retraction = retraction_of(record)
    if retraction is None:
        return name
    label = retraction.label
    return f"{name} ({label[0].lower()}{label[1:]})"
