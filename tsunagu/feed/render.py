"""The items of the home feed, rendered in Python.

Twenty items of five kinds, each with links, times and (for newcomers) a form: through template
includes they cost most of the home page's time. The markup is built here with the standard
library's ``escape`` on every value and the translated words looked up once per page.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .stream import ARTICLE, EVENT, MEMBER, THREAD, UPDATE

SENTINEL = 987654321


class Links:
    """The addresses the items link to, reversed once per page with a stand-in id."""

    def __init__(self, slug: str) -> None:
        self._patterns = {
            name: reverse(name, kwargs={"network_slug": slug, key: SENTINEL})
            for name, key in (
                ("boards:thread", "thread_id"),
                ("news:detail", "article_id"),
                ("events:detail", "event_id"),
                ("profiles:detail", "membership_id"),
                ("feed:welcome", "membership_id"),
            )
        }

    def __call__(self, name: str, pk: int) -> str:
        return self._patterns[name].replace(str(SENTINEL), str(int(pk)))


def _words() -> dict[str, str]:
    return {
        "new": _("New"),
        "consultation": _("Consultation"),
        "thread": _("Thread"),
        "answered": _("Answered"),
        "waiting": _("Waiting for an answer"),
        "event": _("Event"),
        "update": _("Life update"),
        "member": _("New member"),
        "profile": _("Profile"),
        "welcome": _("Welcome"),
    }


def _when(value: Any) -> str:
    return localtime(value).strftime("%Y-%m-%d %H:%M")


def welcome_html(item: dict[str, Any], links: Links, csrf: str, word: str) -> str:
    action = escape(links("feed:welcome", item["id"]))
    given = bool(item.get("welcomed"))
    count = int(item.get("welcomes", 0))
    return (
        f'<form class="inline-form welcome" method="post" action="{action}" hx-post="{action}" '
        f'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{escape(csrf)}"><button class="stamp{" stamp--mine" if given else ""}" '
        f'type="submit" aria-pressed="{"true" if given else "false"}">👋 {escape(word)}'
        + (f" <span>{count}</span>" if count else "")
        + "</button></form>"
    )


def _body(item: dict[str, Any], links: Links, csrf: str, w: dict[str, str]) -> str:
    source = item["source"]
    if source == THREAD:
        chip = ""
        if item["consultation"]:
            chip = (
                f'<span class="chip chip--answered">{w["answered"]}</span> '
                if item["answered"]
                else f'<span class="chip chip--pending">{w["waiting"]}</span> '
            )
        what = w["consultation"] if item["consultation"] else w["thread"]
        comments = ngettext("%(counter)s comment", "%(counter)s comments", item["comments"]) % {
            "counter": item["comments"]
        }
        return (
            f'<span class="feed-item__what muted">{escape(what)} · {escape(item["category"])}'
            f'</span><a class="feed-item__title" href="{links("boards:thread", item["id"])}">'
            f"{'📌 ' if item['pinned'] else ''}{chip}{escape(item['title'])}</a>"
            f'<span class="feed-item__meta muted">{escape(item["author"])} · '
            f"{escape(comments)} · {_when(item['at'])}</span>"
        )
    if source == ARTICLE:
        return (
            f'<span class="feed-item__what muted">{escape(str(item.get("kind_label", "")))}'
            f'</span><a class="feed-item__title" href="{links("news:detail", item["id"])}">'
            f"{'📌 ' if item['pinned'] else ''}{escape(item['title'])}</a>"
            f'<span class="feed-item__meta muted">{escape(item["author"])} · '
            f"{_when(item['at'])}</span>"
        )
    if source == EVENT:
        venue = f" · {escape(item['venue'])}" if item["venue"] else ""
        return (
            f'<span class="feed-item__what muted">{w["event"]}</span>'
            f'<a class="feed-item__title" href="{links("events:detail", item["id"])}">'
            f"{escape(item['title'])}</a>"
            f'<span class="feed-item__meta muted">{_when(item["starts_at"])}{venue}</span>'
        )
    if source == UPDATE:
        return (
            f'<span class="feed-item__what muted">{w["update"]}</span><span>'
            f'<a class="person__name" href="{links("profiles:detail", item["member_id"])}">'
            f"{escape(item['name'])}</a>: {escape(item['body'])}</span>"
            f'<span class="feed-item__meta muted">{_when(item["at"])}</span>'
        )
    if source == MEMBER:
        joined = _("%(name)s joined the network.") % {"name": item["name"]}
        welcome = "" if item.get("is_me") else welcome_html(item, links, csrf, w["welcome"])
        return (
            f'<span class="feed-item__what muted">{w["member"]}</span>'
            f"<span>{escape(joined)}</span>"
            f'<span class="feed-item__meta muted">{_when(item["at"])} · '
            f'<a href="{links("profiles:detail", item["id"])}">{w["profile"]}</a></span>'
            f"{welcome}"
        )
    return ""


def items_html(items: list[dict[str, Any]], links: Links, csrf: str) -> SafeString:
    w = {key: escape(value) for key, value in _words().items()}
    parts = []
    for item in items:
        new = item.get("is_new")
        parts.append(
            f'<li class="feed-item{" feed-item--new" if new else ""}" '
            f'data-source="{int(item["source"])}">'
            + (f'<span class="chip chip--new">{w["new"]}</span>' if new else "")
            + _body(item, links, csrf, w)
            + "</li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
