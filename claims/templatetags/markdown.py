"""``{% load markdown %}``: the ``markdown`` filter (sanitised HTML) and ``verbose_name_of``."""

from django import template

from claims.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    return render_markdown(value)


@register.filter
def verbose_name_of(obj) -> str:
    """A record's type for headings ("dispute", "evidence artifact")."""
    return obj._meta.verbose_name
