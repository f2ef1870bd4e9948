"""``{% select_options %}``: what the template loop it replaced gave, escaping included."""

from __future__ import annotations

from django.template import engines

from claims.models.public_state import stated_name

LOOP = (
    '{% for value, label in choices %}<option value="{{ value }}"{% if selected == value %} selected'
    "{% endif %}>{{ label }}</option>{% endfor %}"
)


def test_select_options_is_the_template_loop():
    engine = engines["django"]
    choices = [("a-1", "Plain"), ('x"><script>', "<b>Lab & Co</b>"), ("b", stated_name("Title", None))]
    for selected in ("", "a-1", 'x"><script>'):
        context = {"choices": choices, "selected": selected}
        expected = engine.from_string(LOOP).render(context)
        got = engine.from_string("{% load site %}{% select_options choices selected %}").render(context)
        assert got == expected
    assert "&lt;script&gt;" in got and "<script>" not in got and got.count(" selected") == 1
