"""The items of the home feed, rendered in Python.

Twenty items of five kinds, each with links, times and (for newcomers) a form: through template
includes they cost most of the home page's time. The markup is built here with the standard
library's ``escape`` on every value and the translated words looked up once per page.
"""

from __future__ import annotations

from datetime import tzinfo
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from tsunagu.core.urls_cache import network_link

from .stream import ARTICLE, EVENT, MEMBER, THREAD, UPDATE

KEYS = {
    "boards:thread": "thread_id",
    "news:detail": "article_id",
    "events:detail": "event_id",
    "profiles:detail": "membership_id",
    "feed:welcome": "membership_id",
}


class Links:
    """The addresses the items link to, reversed once per process and network with a stand-in
    id (urls_cache.network_link)."""

    def __init__(self, slug: str) -> None:
        self.slug = slug

    def __call__(self, name: str, pk: int) -> str:
        return network_link(self.slug, name, KEYS[name], pk)


_WORDS: dict[str, dict[str, str]] = {}


def _words() -> dict[str, str]:
    """The items' words in the current language, escaped: looked up once per language and
    process."""
    language = get_language()
    words = _WORDS.get(language)
    if words is None:
        words = _WORDS[language] = {key: escape(value) for key, value in _lookup_words().items()}
    return words


def _lookup_words() -> dict[str, str]:
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
        "more": _("More"),
        "end": _("You have reached the end."),
        "no_events": _("No upcoming events."),
    }


def _when(value: Any, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


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


def _body(item: dict[str, Any], links: Links, csrf: str, w: dict[str, str], zone: tzinfo) -> str:
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
            f"{escape(comments)} · {_when(item['at'], zone)}</span>"
        )
    if source == ARTICLE:
        return (
            f'<span class="feed-item__what muted">{escape(str(item.get("kind_label", "")))}'
            f'</span><a class="feed-item__title" href="{links("news:detail", item["id"])}">'
            f"{'📌 ' if item['pinned'] else ''}{escape(item['title'])}</a>"
            f'<span class="feed-item__meta muted">{escape(item["author"])} · '
            f"{_when(item['at'], zone)}</span>"
        )
    if source == EVENT:
        venue = f" · {escape(item['venue'])}" if item["venue"] else ""
        return (
            f'<span class="feed-item__what muted">{w["event"]}</span>'
            f'<a class="feed-item__title" href="{links("events:detail", item["id"])}">'
            f"{escape(item['title'])}</a>"
            f'<span class="feed-item__meta muted">{_when(item["starts_at"], zone)}{venue}</span>'
        )
    if source == UPDATE:
        return (
            f'<span class="feed-item__what muted">{w["update"]}</span><span>'
            f'<a class="person__name" href="{links("profiles:detail", item["member_id"])}">'
            f"{escape(item['name'])}</a>: {escape(item['body'])}</span>"
            f'<span class="feed-item__meta muted">{_when(item["at"], zone)}</span>'
        )
    if source == MEMBER:
        joined = _("%(name)s joined the network.") % {"name": item["name"]}
        welcome = "" if item.get("is_me") else welcome_html(item, links, csrf, w["welcome"])
        return (
            f'<span class="feed-item__what muted">{w["member"]}</span>'
            f"<span>{escape(joined)}</span>"
            f'<span class="feed-item__meta muted">{_when(item["at"], zone)} · '
            f'<a href="{links("profiles:detail", item["id"])}">{w["profile"]}</a></span>'
            f"{welcome}"
        )
    return ""


def items_html(items: list[dict[str, Any]], links: Links, csrf: str) -> SafeString:
    w = _words()
    zone = get_current_timezone()
    parts = []
    for item in items:
        new = item.get("is_new")
        parts.append(
            f'<li class="feed-item{" feed-item--new" if new else ""}" '
            f'data-source="{int(item["source"])}">'
            + (f'<span class="chip chip--new">{w["new"]}</span>' if new else "")
            + _body(item, links, csrf, w, zone)
            + "</li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def tail_html(next_cursor: str, home: str, *, first_page: bool, any_items: bool) -> SafeString:
    """The end of the list: a link that loads the next page when scrolled to, or the end."""
    if next_cursor:
        more = escape(f"{home}?before={next_cursor}")
        return mark_safe(  # noqa: S308 - every value escaped here
            f'<li class="feed-more" hx-get="{more}" hx-trigger="revealed" '
            f'hx-swap="outerHTML"><a class="button button--ghost" href="{more}">'
            f"{_words()['more']}</a></li>\n"
        )
    if not first_page or any_items:
        return mark_safe(  # noqa: S308 - every value escaped here
            f'<li class="feed-end muted">{_words()["end"]}</li>'
        )
    return mark_safe("")


def waiting_html(rows: list[dict[str, Any]], links: Links) -> SafeString:
    """The consultations waiting for an answer, those matching the member's tags marked."""
    chip = f'<span class="chip chip--pending">{_words()["consultation"]}</span>'
    zone = get_current_timezone()
    parts = []
    for t in rows:
        matches = ""
        if t["matches"]:
            text = _("Matches your skills and interests: %(tags)s") % {
                "tags": "、".join(t["matches"])
            }
            matches = f"<strong>{escape(text)}</strong> · "
        day = t["at"].astimezone(zone).strftime("%Y-%m-%d")
        parts.append(
            f'\n            <li class="thread-row{" thread-row--match" if t["matches"] else ""}">'
            f'<a class="thread-row__title" href="{links("boards:thread", t["id"])}">{chip} '
            f"{escape(t['title'])}</a>\n"
            f'              <span class="thread-row__meta muted">{matches}'
            f"{escape(t['category'])} · {escape(t['author'])} · {day}</span></li>\n          "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def upcoming_html(events: list[dict[str, Any]], links: Links) -> SafeString:
    """The next events of the member's audience, or a line saying there are none."""
    zone = get_current_timezone()
    parts = [
        f'\n          <li class="thread-row"><a class="thread-row__title" '
        f'href="{links("events:detail", e["id"])}">{escape(e["title"])}</a>\n'
        f'            <span class="thread-row__meta muted">{_when(e["starts_at"], zone)}'
        f"{' · ' + escape(e['venue']) if e['venue'] else ''}</span></li>\n        "
        for e in events
    ]
    if not parts:
        parts.append(f'\n          <li class="empty">{_words()["no_events"]}</li>\n        ')
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
