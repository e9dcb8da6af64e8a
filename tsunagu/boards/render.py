"""The comments of a thread page, rendered in Python and shared between readers.

A page holds 50 comments, each with stamps, links and forms; through the template engine they
cost most of the page's time. The markup here is what the template had, built with the standard
library's escape on every value and with the translated words looked up once per page.

What differs between readers is left as holes: the CSRF token, whether each stamp is the
reader's own, and the edit link on the reader's own comments. The HTML with its holes is the same
for every reader of the page, so it is cached under the thread's revision (which every change to
the thread, its comments, stamps or files moves on) and filled per request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from tsunagu.core import caching
from tsunagu.core.text import visible
from tsunagu.tenancy.names import shown_name

from .models import Comment, Thread, ThreadKind


def _words() -> dict[str, str]:
    return {
        "hidden_by_operators": _("This comment has been hidden by the operators."),
        "former_member": _("former member"),
        "edited": _("edited"),
        "best": _("Most helpful answer"),
        "hidden": _("Hidden from members"),
        "reply": _("Reply"),
        "edit": _("Edit"),
        "report": pgettext("moderation", "Report"),
        "withdraw": _("Withdraw “most helpful”"),
        "mark_best": _("Mark as the most helpful answer"),
        "show_again": _("Show again"),
        "hide": _("Hide"),
        "react": _("React"),
    }


# Holes: \x00 cannot occur in text from the database once core.text.visible() has shown it.
CSRF_HOLE = "\x00csrf\x00"
NAMED_HOLES = ("csrf", "follow", "poll", "unread", "form")
_HOLE = re.compile("\x00(?:s(\\d+)\\.([a-z]+)|e(\\d+)|([a-z]+))\x00")
PAGE_TIMEOUT = 10 * 60  # bounds how long a renamed author's old name can show


def _stamp_button(stamp: dict[str, Any], title: str, hole: str | None = None) -> str:
    count = int(stamp["count"])
    if hole is not None:
        pressed = hole  # filled with the reader's state: see fill()
    elif stamp["mine"]:
        pressed = ' stamp--mine" aria-pressed="true'
    else:
        pressed = '" aria-pressed="false'
    return (
        f'<button class="stamp{pressed}" type="submit" name="stamp" '
        f'value="{escape(stamp["stamp"])}" title="{title}">{escape(stamp["emoji"])}'
        + (f" <span>{count}</span>" if count else "")
        + "</button>"
    )


def stamps_html(
    stamps: Iterable[dict[str, Any]],
    action: str,
    csrf: str,
    title: str,
    comment_id: int | None = None,
) -> SafeString:
    """The stamp buttons of a thread or comment; with ``comment_id``, the reader's own stamps
    are holes for fill()."""
    # 250 buttons a page: plain string building with the standard library's escape, which is
    # several times cheaper than format_html for these short, fixed pieces.
    title, action = escape(title), escape(action)
    csrf = csrf if csrf == CSRF_HOLE else escape(csrf)
    buttons = "".join(
        _stamp_button(
            stamp,
            title,
            None if comment_id is None else f"\x00s{int(comment_id)}.{stamp['stamp']}\x00",
        )
        for stamp in stamps
    )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<form class="stamps" method="post" action="{action}" hx-post="{action}" '
        f'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f"{buttons}</form>"
    )


@dataclass
class ThreadPage:
    """A page of a thread as the same HTML for every reader, with holes (see fill())."""

    html: str
    # (comment id, author's membership id) of each comment shown, in order.
    comments: list[tuple[int, int | None]] = field(default_factory=list)
    last_number: int = 0  # of the page's last comment
    has_poll: bool = False

    def fill(
        self,
        *,
        holes: dict[str, str],
        mine: set[tuple[int | None, str]],
        editable: bool,
        member_id: int,
        base: str,
    ) -> SafeString:
        """The page for one reader. ``holes`` holds the reader's own HTML for each named hole
        (csrf: their token, escaped here); ``mine`` holds the (comment id, stamp) they gave,
        None for the thread; their own comments get an edit link when ``editable``."""
        edit = escape(_("Edit"))
        csrf = escape(holes["csrf"])
        named = {name: html.replace(CSRF_HOLE, csrf) for name, html in holes.items()}
        named["csrf"] = csrf
        authors = dict(self.comments)

        def hole(match: re.Match[str]) -> str:
            comment, stamp, edited, name = match.groups()
            if name is not None:
                return named.get(name, "")
            if edited is not None:
                pk = int(edited)
                if editable and authors.get(pk) == member_id:
                    return f'<a href="{escape(base)}comments/{pk}/edit/">{edit}</a> ·'
                return ""
            target = int(comment) or None  # 0: the thread itself
            if (target, stamp) in mine:
                return ' stamp--mine" aria-pressed="true'
            return '" aria-pressed="false'

        return mark_safe(_HOLE.sub(hole, self.html))  # noqa: S308 - escaped when built


def thread_page(
    thread: Thread,
    number: int,
    *,
    request: Any,
    base: str,
    can_moderate: bool,
    is_asker: bool,
    load: Callable[
        [],
        tuple[
            Thread,
            list[Comment],
            dict[int | None, list[dict[str, Any]]],
            dict[int | None, list[Any]],
            bool,
        ],
    ],
    context: Callable[[Thread], dict[str, Any]],
) -> ThreadPage:
    """The shared HTML of page ``number``, from the cache when the thread has not changed.

    ``load()`` returns the thread with what its header shows (category, author), the page's
    comments, their stamp counts, their files (keyed by comment id, None for the thread's own)
    and whether the thread has a poll; it is called only when the page is not cached.
    ``context(thread)`` adds what the page template needs beside them. Moderators and the
    asker see more (hidden comments, their forms), so they have their own entries.
    """
    key = caching.key(
        "boards", "page", thread.pk, thread.revision, number,
        f"{int(can_moderate)}{int(is_asker)}", language=True, zone=True,
    )  # fmt: skip

    def build() -> ThreadPage:
        full, comments, stamps, files, has_poll = load()
        for comment in comments:
            comment.stamps = stamps[comment.pk]  # type: ignore[attr-defined]
            comment.files = files.get(comment.pk, [])  # type: ignore[attr-defined]
        react = f"{base}t/{thread.pk}/react/"
        html = render_to_string(
            "boards/_thread_content.html",
            {
                **context(full),
                "thread": full,
                "thread_files": files.get(None, []),
                "thread_stamps_html": stamps_html(
                    stamps[None], react, CSRF_HOLE, _("React"), comment_id=0
                ),
                "comments_html": mark_safe(  # noqa: S308 - escaped when built
                    comments_html(
                        comments,
                        thread=full,
                        base=base,
                        page_number=number,
                        can_moderate=can_moderate,
                        is_asker=is_asker,
                    )
                ),
                "has_poll": has_poll,
                "can_moderate": can_moderate,
                "is_asker": is_asker,
                "can_edit_thread": is_asker and not full.is_locked,
                "csrf_token": CSRF_HOLE,
                "holes": {name: mark_safe(f"\x00{name}\x00") for name in NAMED_HOLES},  # noqa: S308
                # Only for {% nurl %}: no context processor runs, nothing of the reader leaks in.
                "request": request,
            },
        )
        return ThreadPage(
            html=html,
            comments=[(c.pk, c.author_id) for c in comments],
            last_number=comments[-1].number if comments else 0,
            has_poll=has_poll,
        )

    return caching.cached(key, build, PAGE_TIMEOUT)


def follow_form(base: str, thread_id: int, *, subscribed: bool) -> str:
    """The reader's follow or stop-following button (its CSRF token is the csrf hole)."""
    label = escape(_("Stop following") if subscribed else _("Follow this thread"))
    return (
        f'<form class="inline-form" method="post" action="{escape(base)}t/{int(thread_id)}/'
        f'subscription/"><input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_HOLE}">'
        f'<input type="hidden" name="subscribe" value="{0 if subscribed else 1}">'
        f'<button class="button button--ghost button--small" type="submit">{label}</button>'
        "</form>"
    )


def unread_link(read_up_to: int | None, last_number: int, per_page: int) -> str:
    """A jump to the first comment the reader has not been shown, when there is one."""
    if read_up_to is None or read_up_to >= last_number:
        return ""
    first = read_up_to + 1
    label = _("Jump to the first unread comment (#%(number)s)") % {"number": first}
    return (
        f'<p><a class="button button--small" href="?page={(first - 1) // per_page + 1}'
        f'#c{first}">{escape(label)}</a></p>'
    )


def comments_html(
    comments: list[Comment],
    *,
    thread: Thread,
    base: str,
    page_number: int,
    can_moderate: bool,
    is_asker: bool,
) -> str:
    """``base`` is the boards' address in this network, e.g. /n/mitsuba/boards/. The result
    has holes: see CommentsPage.fill()."""
    words = _words()
    w = {key: escape(value) for key, value in words.items()}
    w["react_raw"] = words["react"]  # stamps_html escapes it itself
    csrf_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_HOLE}">'
    parts = [
        _comment(c, thread, base, csrf_input, page_number, can_moderate, is_asker, w)
        for c in comments
    ]
    return "".join(parts)


def _comment(
    c: Comment,
    thread: Thread,
    base: str,
    csrf_input: str,
    page_number: int,
    can_moderate: bool,
    is_asker: bool,
    w: dict[str, str],
) -> str:
    # Plain strings and the standard library's escape: every value that is not a number or
    # already-cleaned HTML goes through escape(); w's words were escaped once by the caller.
    best = c.pk == thread.best_answer_id
    classes = "comment"
    if c.parent_id:
        classes += " comment--reply"
    if best:
        classes += " comment--best"
    number = int(c.number)
    if c.is_hidden and not can_moderate:
        return (
            f'<li id="c{number}" class="{classes}">'
            f'<p class="muted">#{number} {w["hidden_by_operators"]}</p></li>'
        )
    url = escape(f"{base}comments/{c.pk}/")
    author = _text(shown_name(c.author))
    when = escape(date_format(localtime(c.created_at), "Y-m-d H:i"))
    meta = f'<a href="#c{number}">#{number}</a> <strong>{author}</strong> · {when}'
    if c.edited_at:
        meta += f' · <a href="{url}history/">{w["edited"]}</a>'
    if c.parent_id and c.parent is not None:
        parent_name = shown_name(c.parent.author)
        reply = _("in reply to #%(number)s %(name)s") % {
            "number": c.parent.number,
            "name": parent_name,
        }
        meta += f" · {_text(reply)}"
    if best:
        meta += f' · <strong class="chip chip--answered">{w["best"]}</strong>'
    if c.is_hidden:
        meta += f" · <strong>{w['hidden']}</strong>"
    files = ""
    attached = getattr(c, "files", None)
    if attached:
        items = []
        for f in attached:
            href = escape(f"{base}files/{f.pk}/")
            name = _text(f.name)
            if f.is_image:
                items.append(
                    f'<li><a href="{href}"><img src="{href}" alt="{name}" loading="lazy"></a></li>'
                )
            else:
                items.append(f'<li><a href="{href}">📄 {name}</a></li>')
        files = f'<ul class="files">{"".join(items)}</ul>'
    actions = []
    if not thread.is_locked:
        actions.append(
            f'<a href="?page={int(page_number)}&amp;reply_to={int(c.pk)}#comment-form">'
            f"{w['reply']}</a> ·"
        )
    actions.append(f"\x00e{int(c.pk)}\x00")  # the reader's own: an edit link (fill())
    actions.append(f'<a href="{url}report/">{w["report"]}</a>')
    if is_asker and thread.is_consultation and c.author_id != thread.author_id:
        ghost = " button--ghost" if best else ""
        label = w["withdraw"] if best else w["mark_best"]
        actions.append(
            f'<form class="inline-form" method="post" action="{url}best/">{csrf_input}'
            f'<button class="button button--small{ghost}" type="submit">{label}</button></form>'
        )
    if can_moderate:
        value = "0" if c.is_hidden else "1"
        label = w["show_again"] if c.is_hidden else w["hide"]
        actions.append(
            f'<form class="inline-form" method="post" action="{url}moderate/">{csrf_input}'
            f'<input type="hidden" name="hidden" value="{value}">'
            f'<button class="button button--ghost button--small" type="submit">{label}</button>'
            "</form>"
        )
    stamps = stamps_html(
        c.stamps,  # type: ignore[attr-defined]
        f"{base}comments/{c.pk}/react/",
        CSRF_HOLE,
        w["react_raw"],
        comment_id=c.pk,
    )
    return (
        f'<li id="c{number}" class="{classes}"><p class="comment__meta muted">{meta}</p>'
        f'<div class="prose">{visible(c.body_html)}</div>{files}{stamps}'
        f'<div class="comment__actions">{" ".join(actions)}</div></li>'
    )


def _text(value: str) -> str:
    """Escaped text written by members: no NUL of theirs may pass for one of the holes."""
    return visible(escape(value))


_LIST_WORDS: dict[str, dict[str, str]] = {}


def _list_words() -> dict[str, str]:
    """The words of the thread lists in the current language, escaped: looked up once per
    language and process."""
    language = get_language()
    words = _LIST_WORDS.get(language)
    if words is None:
        words = _LIST_WORDS[language] = {k: escape(v) for k, v in _lookup_list_words().items()}
    return words


def _lookup_list_words() -> dict[str, str]:
    # Outside f-strings, so that makemessages finds them.
    return {
        "categories": _("Categories"),
        "all": _("All"),
        "unanswered": _("Unanswered consultations"),
        "search_boards": _("Search the boards"),
        "search": _("Search"),
        "pinned": _("Pinned"),
        "answered": _("Answered"),
        "consultation": _("Consultation"),
        "unread": _("Unread"),
        "former_member": _("former member"),
        "locked": _("Locked"),
        "hidden": _("Hidden"),
        "no_threads": _("No threads yet."),
        "previous": _("Previous"),
        "next": _("Next"),
        "pages": _("Pages"),
    }


def board_nav_html(
    categories: list[dict[str, Any]], links: dict[str, str], current: int | None = None
) -> SafeString:
    """The categories bar and the search box above a thread list (boards/_board_nav.html)."""
    w = _list_words()
    base = escape(links["boards"])
    here = 'aria-current="page"'
    anchors = "".join(
        f'<a href="{base}c/{int(c["id"])}/" {here if c["id"] == current else ""}>'
        f"{escape(c['name'])}</a>"
        for c in categories
    )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<nav class="board-nav" aria-label="{w["categories"]}">\n'
        f'  <a href="{base}" {"" if current else here}>{w["all"]}</a>\n  {anchors}\n'
        f'  <a href="{escape(links["boards_unanswered"])}">{w["unanswered"]}</a>\n</nav>\n'
        f'<form class="board-search" method="get" action="{escape(links["boards_search"])}" '
        f'role="search">\n  <label class="visually-hidden" for="board-q">{w["search_boards"]}'
        '</label>\n  <input id="board-q" type="search" name="q" value="" maxlength="100" '
        f'placeholder="{w["search_boards"]}">\n  <button class="button button--ghost '
        f'button--small" type="submit">{w["search"]}</button>\n</form>'
    )


def categories_html(categories: list[dict[str, Any]], links: dict[str, str]) -> SafeString:
    """The list of categories with their descriptions, on the board index."""
    base = escape(links["boards"])
    items = "".join(
        f'<li><a href="{base}c/{int(c["id"])}/"><strong>{escape(c["name"])}</strong></a>'
        + (f' <span class="muted">{escape(c["description"])}</span>' if c["description"] else "")
        + "</li>"
        for c in categories
    )
    html = f'<ul class="categories">\n      {items}\n    </ul>' if categories else ""
    return mark_safe(html)  # noqa: S308 - every value escaped above


def thread_rows_html(rows: Iterable[Any], base: str) -> SafeString:
    """The rows of a thread list (boards/_thread_list.html): ``rows`` are listing.ThreadRow;
    ``base`` is the boards' address in the network."""
    w = _list_words()
    base = escape(base)
    pinned = w["pinned"]
    chips = {
        True: f'<span class="chip chip--answered">{w["answered"]}</span> ',
        False: f'<span class="chip chip--pending">{w["consultation"]}</span> ',
    }
    unopened = f' <span class="chip chip--new">{w["unread"]}</span>'
    former = w["former_member"]
    locked = f" · 🔒 {w['locked']}"
    hidden = f" · {w['hidden']}"
    zone = timezone.get_current_timezone()
    parts = []
    for t in rows:
        title = f'<span class="chip" title="{pinned}">📌 {pinned}</span> ' if t.is_pinned else ""
        if t.kind == ThreadKind.CONSULTATION:
            title += chips[bool(t.is_answered)]
        if t.unread:
            new = ngettext("%(counter)s new", "%(counter)s new", t.unread) % {"counter": t.unread}
            mark = f' <span class="chip chip--new">{escape(new)}</span>'
        else:
            mark = unopened if t.unread is None else ""
        author = former if t.author_name is None else escape(t.author_name)
        count = t.comment_count
        comments = ngettext("%(counter)s comment", "%(counter)s comments", count) % {
            "counter": count
        }
        when = t.last_activity_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        parts.append(
            f'\n    <li class="thread-row{" thread-row--hidden" if t.is_hidden else ""}">\n'
            f'      <a class="thread-row__title" href="{base}t/{int(t.pk)}/">{title}'
            f"{escape(t.title)}</a>{mark}\n"
            f'      <span class="thread-row__meta muted">{escape(t.category_name)} · {author} · '
            f"{escape(comments)} · {when}{locked if t.is_locked else ''}"
            f"{hidden if t.is_hidden else ''}</span>\n    </li>\n  "
        )
    if not parts:
        parts.append(f'\n    <li class="empty">{w["no_threads"]}</li>\n  ')
    return mark_safe(f'<ul class="threads">\n  {"".join(parts)}\n</ul>')  # noqa: S308 - escaped


def pager_html(number: int, num_pages: int) -> SafeString:
    """Previous and next links under a thread list, when it has more than one page."""
    if num_pages <= 1:
        return mark_safe("")
    w = _list_words()
    button = "button button--ghost button--small"
    previous = (
        f'<a class="{button}" href="?page={number - 1}">{w["previous"]}</a>' if number > 1 else ""
    )
    following = (
        f'<a class="{button}" href="?page={number + 1}">{w["next"]}</a>'
        if number < num_pages
        else ""
    )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'\n  <nav class="pager" aria-label="{w["pages"]}">\n    {previous}\n'
        f"    <span>{int(number)} / {int(num_pages)}</span>\n    {following}\n  </nav>\n"
    )
