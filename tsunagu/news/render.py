"""The rows of the news list, built in Python.

Through the template engine (a loop with a URL tag, plural translation, a date filter and a tag
loop per row) the rows cost most of the page's time. The markup here is what ``list.html`` had,
built with the standard library's escape on every value and the words looked up once per page.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .listing import Row, Waiting
from .models import OPERATOR_KINDS, Kind, State


def _when(row: Row | Waiting) -> str:
    return localtime(row.published_at).strftime("%Y-%m-%d %H:%M")  # the template's "Y-m-d H:i"


def rows_html(rows: list[Row], base: str) -> SafeString:
    """The list's rows; ``base`` is the news' address in this network, e.g. /n/mitsuba/news/."""
    if not rows:
        empty = escape(_("No articles yet."))
        return mark_safe(f'<li class="empty">{empty}</li>')  # noqa: S308 - escaped
    base = escape(base)
    pinned_word = escape(_("Pinned"))
    pinned = f'<span class="chip">📌 {pinned_word}</span> '
    former = escape(_("former member"))
    kinds = {value: escape(str(label)) for value, label in Kind.choices}
    counts: dict[int, str] = {}
    parts = []
    for row in rows:
        count = counts.get(row.comment_count)
        if count is None:
            count = counts[row.comment_count] = escape(
                ngettext("%(counter)s comment", "%(counter)s comments", row.comment_count)
                % {"counter": row.comment_count}
            )
        operator = " chip--operator" if row.kind in OPERATOR_KINDS else ""
        author = former if row.author_name is None else escape(row.author_name)
        tags = "".join(
            f' · <a href="{base}?tag={escape(quote(name))}">#{escape(name)}</a>'
            for name in row.tags
        )
        parts.append(
            '<li class="thread-row article-row">\n'
            f'  <a class="thread-row__title" href="{base}{int(row.pk)}/">'
            f"{pinned if row.is_pinned else ''}"
            f'<span class="chip{operator}">{kinds.get(row.kind, escape(row.kind))}</span> '
            f"{escape(row.title)}</a>\n"
            f'  <span class="thread-row__meta muted">{author} · {_when(row)} · {count}{tags}'
            "</span>\n</li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def waiting_html(articles: list[Waiting], base: str) -> SafeString:
    """The reader's own articles that are not published yet, with why."""
    base = escape(base)
    states = {value: escape(str(label)) for value, label in State.choices}
    parts = []
    for article in articles:
        if article.state == State.PUBLISHED:
            chip = escape(_("Scheduled for %(when)s") % {"when": _when(article)})
        else:
            chip = states.get(article.state, escape(article.state))
        parts.append(
            f'<li class="thread-row"><a class="thread-row__title" href="{base}{int(article.pk)}/">'
            f'{escape(article.title)}</a> <span class="chip chip--pending">{chip}</span></li>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
