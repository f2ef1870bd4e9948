"""``{% load desk %}``: the editors' desk on the admin home (``claims.selectors.desk``)."""

from __future__ import annotations

from django import template

from claims.selectors.desk import DeskSection, editors_desk

register = template.Library()


@register.simple_tag
def desk_sections() -> list[DeskSection]:
    """Every section of the desk, in a fixed number of queries."""
    return editors_desk()
