"""Charts: an SVG image without script, and the same figures in a table."""

from __future__ import annotations

import base64
import re

from django.template import Context, Template

from tsunagu.core.charts import Chart, Series, render_svg


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
