"""What the home feed's templates write of its rows, for one reader.

The rows (``stream.py``) are shared by every reader of an audience, whatever their language and
time zone. Before a template shows them, each gets a copy with the texts that depend on the
reader: its address, what it is, its time in the reader's zone, its author (a former member named
in the reader's language) and its number of comments. They are looked up here once per page: the
same through template tags and filters, once per item, cost several times as much on the most
read page. The markup stays in the templates (``feed/_items.html``, ``feed/home.html``).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tsunagu.core.formats import strftime_pattern
from tsunagu.core.urls_cache import network_link
from tsunagu.news.models import Kind as ArticleKind

from .stream import ARTICLE, EVENT, MEMBER, THREAD, UPDATE

# What the templates call each source (a literal compares faster than a looked-up constant).
TYPES = {MEMBER: "member", UPDATE: "update", EVENT: "event", THREAD: "thread", ARTICLE: "article"}

# Where each source links: the view, its URL keyword and the row's field that fills it.
LINKS = {
    THREAD: ("boards:thread", "thread_id", "id"),
    ARTICLE: ("news:detail", "article_id", "id"),
    EVENT: ("events:detail", "event_id", "id"),
    UPDATE: ("profiles:detail", "membership_id", "member_id"),
    MEMBER: ("profiles:detail", "membership_id", "id"),
}


def when(value: datetime, zone: tzinfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A time in the reader's zone, by default as ``|date:"Y-m-d H:i"`` would write it."""
    return value.astimezone(zone).strftime(pattern)


def welcome_url(slug: str, membership_id: int) -> str:
    return network_link(slug, "feed:welcome", "membership_id", membership_id)


class Shown:
    """The reader's copy of shared rows (call it with a row). Addresses are filled into patterns
    reversed once per process and network (``urls_cache.network_link``): no reverse() per item."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.zone = get_current_timezone()
        self.pattern = strftime_pattern("SHORT_DATETIME_FORMAT")
        self.former = _("former member")
        self.what = {
            MEMBER: _("New member"),
            UPDATE: _("Life update"),
            EVENT: _("Event"),
            THREAD: _("Thread"),
            "consultation": _("Consultation"),
        }
        self.kinds = dict(ArticleKind.choices)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        source = row["source"]
        name, keyword, field = LINKS[source]
        shown = dict(row)
        shown["type"] = TYPES[source]
        shown["href"] = network_link(self.slug, name, keyword, row[field])
        shown["when"] = when(
            row["starts_at"] if source == EVENT else row["at"], self.zone, self.pattern
        )
        if "author" in row:
            shown["author"] = self.former if row["author"] is None else row["author"]
        if source == THREAD:
            kind = self.what["consultation" if row["consultation"] else THREAD]
            shown["what"] = f"{kind} · {row['category']}"
            shown["comments_text"] = ngettext(
                "%(counter)s comment", "%(counter)s comments", row["comments"]
            ) % {"counter": row["comments"]}
        elif source == ARTICLE:
            shown["what"] = str(self.kinds.get(row["kind"], ""))
        else:
            shown["what"] = self.what[source]
        return shown
