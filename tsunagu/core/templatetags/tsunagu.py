from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from tsunagu.core.charts import Chart
from tsunagu.core.markdown import render_markdown
from tsunagu.core.text import visible

register = template.Library()


@register.simple_tag(takes_context=True)
def nurl(context: dict[str, Any], name: str, **kwargs: Any) -> str:
    """{% nurl "app:view" id=obj.pk %}: a URL inside the current network."""
    network = context["request"].network
    return reverse(name, kwargs={"network_slug": network.slug, **kwargs})


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter(name="visible", is_safe=True)
def visible_filter(text: str) -> str:
    """Control characters shown as U+FFFD, in pages shared between readers (core/text.py)."""
    return visible(str(text))


@register.filter(expects_localtime=True)
def isoformat(value: datetime) -> str:
    """The time in the reader's zone as ISO 8601, for ``<time datetime>``: what ``|date:"c"``
    writes, at a third of its cost (it matters in a list's rows)."""
    return value.isoformat()


@register.filter
def initials(name: str) -> str:
    """One or two characters for an avatar: 山田 花子 → 山田, Hanako Yamada → HY."""
    parts = (name or "?").split()
    if not parts:
        return "?"
    if all(part.isascii() for part in parts):
        return "".join(p[0] for p in parts[:2]).upper()
    return parts[0][:2]


@register.inclusion_tag("core/chart.html")
def chart(chart: Chart) -> dict[str, Any]:
    """A chart (``core.charts.Chart``): its image, and the table a screen reader reads."""
    return {"chart": chart}
