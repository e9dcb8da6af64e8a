"""Charts drawn on the server as SVG, shown as an image beside a table of the same figures.

The SVG is drawn by pygal and reaches the page as a ``data:`` image: an image runs no script and
its own stylesheet stays inside it, so the site's policy (no inline script or style) holds, and the
page needs no extra request or access check. Every chart is paired with a table in the template
(``core/chart.html``), which is what a screen reader reads and what the chart's words say.

Charts are plain values: an app builds a :class:`Chart` from its figures (cached with them if it
likes) and the template tag ``{% chart c %}`` renders the figure and its table.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import pygal
from pygal.etree import etree
from pygal.style import Style

Kind = Literal["bar", "line", "hbar", "stacked"]

# The site's colours (tsunagu.css): ink, brand blue, and calm companions that stay apart for the
# common kinds of colour blindness (Okabe–Ito).
COLOURS = ("#2f5fd0", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#1d2230")
FONT = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


@dataclass(frozen=True)
class Chart:
    """A chart and its data. ``labels`` name the columns (x axis), ``series`` the rows."""

    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: Kind = "bar"
    unit: str = ""  # shown after each value in the table, e.g. "%"
    description: str = ""  # one sentence that says what the chart shows, for the image's alt
    max_value: float | None = None  # a fixed top of the scale (100 for shares), else from the data
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def empty(self) -> bool:
        return not self.labels or all(
            value in (None, 0) for series in self.series for value in series.values
        )

    def rows(self) -> list[tuple[str, list[str]]]:
        """The table: one row per label, one cell per series."""
        out = []
        for index, label in enumerate(self.labels):
            cells = []
            for series in self.series:
                value = series.values[index] if index < len(series.values) else None
                cells.append("—" if value is None else f"{_number(value)}{self.unit}")
            out.append((label, cells))
        return out

    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(render_svg(self)).decode("ascii")


def _number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


@lru_cache(maxsize=1)
def _style() -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1d2230",
        foreground_strong="#1d2230",
        foreground_subtle="#c9cdd6",
        colors=COLOURS,
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        value_font_size=12,
        title_font_size=15,
        transition="0s",
    )


_CLASSES = {"bar": pygal.Bar, "line": pygal.Line, "hbar": pygal.HorizontalBar}


def render_svg(chart: Chart) -> bytes:
    """The chart as a standalone SVG document, without script."""
    if chart.kind == "stacked":
        cls: type[pygal.graph.graph.Graph] = pygal.StackedBar
    else:
        cls = _CLASSES[chart.kind]
    many = len(chart.labels) > 12
    drawing = cls(
        style=_style(),
        js=[],  # no script: the figures are in the table beside the image
        width=720,
        height=320,
        show_legend=len(chart.series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(chart.series), 4) or 1,
        x_label_rotation=45 if many else 0,
        show_minor_x_labels=not many,
        x_labels_major_every=max(1, len(chart.labels) // 8) if many else None,
        truncate_label=-1,
        truncate_legend=-1,
        print_values=False,
        dots_size=2,
        margin=12,
        include_x_axis=True,
        range=(0, chart.max_value) if chart.max_value is not None else None,
        no_data_text="",
    )
    drawing.x_labels = list(chart.labels)
    for series in chart.series:
        drawing.add(series.name, list(series.values))
    tree = drawing.render_tree()
    # pygal always writes its configuration as a script for its tooltips; an image runs none,
    # so it is only weight (and a thing a strict reader would flag).
    for parent in list(tree.iter()):
        for child in list(parent):
            if str(child.tag).rpartition("}")[2] == "script":
                parent.remove(child)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + etree.tostring(tree, encoding="utf-8")
