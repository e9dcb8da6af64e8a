"""Charts: an SVG image without script, and the same figures in a table."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.template import Context, Template

from tsunagu.core.charts import Chart, Series, draw, forget_old_drawings, render_svg
from tsunagu.core.models import ChartImage


def monthly() -> Chart:
    return Chart(
        title="月間アクティブ",
        labels=["2026年1月", "2026年2月", "2026年3月"],
        series=[Series("アルムナイ", [120, 98, 131]), Series("社員", [14, None, 9])],
        description="月間アクティブメンバー数の推移",
    )


def test_the_svg_carries_no_script_and_names_its_labels() -> None:
    svg = render_svg(monthly()).decode()
    assert svg.lstrip().startswith("<?xml")
    assert "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+=", svg), "no event handler attributes"
    assert "2026年2月" in svg and "アルムナイ" in svg


def test_the_template_shows_the_image_and_a_table_of_the_same_figures() -> None:
    html = Template("{% load tsunagu %}{% chart c %}").render(Context({"c": monthly()}))
    uri = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert uri is not None
    assert "2026年3月" in base64.b64decode(uri.group(1)).decode()
    assert 'alt="月間アクティブメンバー数の推移"' in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["120", "14", "98", "—", "131", "9"]


def test_a_chart_without_figures_says_so_instead_of_drawing_nothing() -> None:
    empty = Chart(title="参加率", labels=[], series=[Series("参加率", [])], unit="%")
    html = Template("{% load tsunagu %}{% chart c %}").render(Context({"c": empty}))
    assert "<img" not in html
    assert "chart__empty" in html


def test_shares_keep_their_decimal_and_unit() -> None:
    chart = Chart(
        title="事務局の投稿比率", labels=["4月"], series=[Series("比率", [62.5])], unit="%"
    )
    assert chart.rows() == [("4月", ["62.5%"])]


# --- Drawings kept for content drawn before (charts.draw) --------------------------------------


def _image(chart: Chart) -> bytes:
    return base64.b64decode(chart.data_uri().partition(",")[2])


@pytest.mark.django_db
def test_the_same_content_is_drawn_once_and_read_back_later() -> None:
    first, twin = monthly(), monthly()
    draw([first, twin])
    assert ChartImage.objects.count() == 1
    # pygal names each drawing's elements anew: equal images are the one kept drawing.
    assert _image(first) == _image(twin)
    assert "2026年2月" in _image(first).decode()
    # What a later page reads is the kept drawing, not a new one: mark the kept drawing and
    # a new chart of the same content shows the mark.
    ChartImage.objects.update(svg=b"<svg xmlns='http://www.w3.org/2000/svg' id='kept'/>")
    later = monthly()
    draw([later])
    assert b"id='kept'" in _image(later)
    assert ChartImage.objects.count() == 1


@pytest.mark.django_db
def test_changed_figures_or_names_are_a_new_drawing() -> None:
    draw([monthly()])
    changed = Chart(
        title="月間アクティブ",
        labels=["2026年1月", "2026年2月", "2026年3月"],
        series=[Series("アルムナイ", [120, 98, 132]), Series("社員", [14, None, 9])],
    )
    renamed = Chart(
        title="月間アクティブ",
        labels=["2026年1月", "2026年2月", "2026年3月"],
        series=[Series("Alumni", [120, 98, 131]), Series("社員", [14, None, 9])],
    )
    draw([changed, renamed])
    assert ChartImage.objects.count() == 3
    assert ChartImage.objects.filter(digest=changed.digest()).exists()
    assert b"Alumni" in _image(renamed)


@pytest.mark.django_db
def test_drawings_not_made_for_40_days_are_deleted() -> None:
    with time_machine.travel(datetime(2026, 1, 1, 12, tzinfo=UTC), tick=False):
        draw([monthly()])
    with time_machine.travel(datetime(2026, 2, 5, 12, tzinfo=UTC), tick=False):
        assert forget_old_drawings() == 0
    with time_machine.travel(datetime(2026, 2, 11, 12, tzinfo=UTC), tick=False):
        assert forget_old_drawings() == 1
    assert not ChartImage.objects.exists()
