"""core/shared.py: one hole grammar, filled per reader, that no member text can forge."""

from __future__ import annotations

import logging

import pytest
from django.template import engines
from django.test import override_settings

from tsunagu.core import shared


def render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load shared %}" + source).render(context)


def test_holes_are_filled_per_reader_with_text_escaped_and_html_kept() -> None:
    html = render(
        '<input value="{% hole "csrf" %}"><b aria-pressed="{% hole "pressed" pk "like" %}">'
        '</b>{% hole "poll" %}',
        pk=12,
    )
    assert "\x00" in html  # nothing of a reader yet

    mine = {("12", "like")}
    page = shared.fill(
        html,
        {
            "csrf": lambda: 'tok"en<',
            "pressed": lambda pk, stamp: "true" if (pk, stamp) in mine else "false",
            "poll": lambda: render("<form>投票</form>"),
        },
        where="test",
    )

    assert page == ('<input value="tok&quot;en&lt;"><b aria-pressed="true"></b><form>投票</form>')


def test_a_section_is_kept_for_the_readers_it_belongs_to_with_its_holes_filled() -> None:
    html = render(
        '{% for pk in comments %}<li>{{ pk }}{% holeblock "own" pk %}<a>編集</a>'
        '<input value="{% hole "csrf" %}">{% endholeblock %}</li>{% endfor %}',
        comments=[1, 2, 3],
    )
    authors = {"1": "田中", "2": "佐藤", "3": "田中"}

    def page_for(reader: str) -> str:
        return shared.fill(
            html, {"own": lambda pk: authors[pk] == reader, "csrf": lambda: "t"}, where="test"
        )

    assert page_for("田中") == (
        '<li>1<a>編集</a><input value="t"></li><li>2</li><li>3<a>編集</a><input value="t"></li>'
    )
    assert page_for("佐藤") == '<li>1</li><li>2<a>編集</a><input value="t"></li><li>3</li>'


def test_sections_may_hold_sections_and_a_dropped_one_asks_nothing_of_what_it_holds() -> None:
    html = render(
        '{% for pk in people %}<li>{% holeblock "other" pk %}<form>{% holeblock "counted" pk %}'
        '<b>{% hole "count" pk %}</b>{% endholeblock %}</form>{% endholeblock %}</li>{% endfor %}',
        people=[1, 2, 3],
    )
    counts = {"1": 0, "2": 5, "3": 2}
    asked: list[str] = []

    def count(pk: str) -> int:
        asked.append(pk)
        return counts[pk]

    page = shared.fill(
        html,
        {"other": lambda pk: pk != "3", "counted": lambda pk: counts[pk] > 0, "count": count},
        where="test",
    )
    assert page == "<li><form></form></li><li><form><b>5</b></form></li><li></li>"
    assert asked == ["2"]


def test_an_unknown_hole_renders_nothing_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    html = render('<p>{% hole "gone" 1 %}{% holeblock "gone_too" %}秘密{% endholeblock %}</p>')
    with caplog.at_level(logging.WARNING, logger="tsunagu.core.shared"):
        page = shared.fill(html, {}, where="test-unknown")
    assert page == "<p></p>"
    assert "'gone'" in caplog.text and "'gone_too'" in caplog.text


def test_member_text_cannot_forge_a_hole_whatever_it_holds() -> None:
    """A member who copies a hole, NUL included, into a comment gets their text back, escaped:
    the marker comes from the secret key, and a block rendered under another key (another
    site, or what a member could try to guess) has no holes this site fills."""
    with override_settings(SECRET_KEY="another site's key, or a guess"):
        guessed = str(shared.hole("csrf"))
    real = str(shared.hole("csrf"))
    assert guessed != real
    html = render("<p>{{ text }}</p><i>{{ raw|safe }}</i>", text=guessed, raw=guessed)
    page = shared.fill(html, {"csrf": lambda: "SECRET-TOKEN"}, where="test")
    assert "SECRET-TOKEN" not in page
    assert shared.marker() not in page


def test_a_hole_refuses_arguments_that_could_break_its_grammar() -> None:
    for bad in ("a:b", "a\x00", "<b>", "x" * 65):
        with pytest.raises(ValueError):
            shared.hole("stamp", bad)
    with pytest.raises(ValueError):
        shared.hole("Stamp")
