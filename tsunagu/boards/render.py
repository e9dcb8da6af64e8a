"""The comments of a thread page, rendered in Python.

A page holds 50 comments, each with stamps, links and forms; through the template engine they
cost most of the page's time. The markup here is what the template had, built with format_html
(every value escaped) and with the translated words looked up once per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Comment, Thread


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


def _stamp_button(stamp: dict[str, Any], title: str) -> str:
    mine = stamp["mine"]
    count = int(stamp["count"])
    return (
        f'<button class="stamp{" stamp--mine" if mine else ""}" type="submit" name="stamp" '
        f'value="{escape(stamp["stamp"])}" aria-pressed="{"true" if mine else "false"}" '
        f'title="{title}">{escape(stamp["emoji"])}'
        + (f" <span>{count}</span>" if count else "")
        + "</button>"
    )


def stamps_html(stamps: Iterable[dict[str, Any]], action: str, csrf: str, title: str) -> SafeString:
    # 250 buttons a page: plain string building with the standard library's escape, which is
    # several times cheaper than format_html for these short, fixed pieces.
    title, action, csrf = escape(title), escape(action), escape(csrf)
    buttons = "".join(_stamp_button(stamp, title) for stamp in stamps)
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<form class="stamps" method="post" action="{action}" hx-post="{action}" '
        f'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f"{buttons}</form>"
    )


def comments_html(
    comments: list[Comment],
    *,
    thread: Thread,
    base: str,
    csrf: str,
    page_number: int,
    can_moderate: bool,
    is_asker: bool,
) -> SafeString:
    """``base`` is the boards' address in this network, e.g. /n/mitsuba/boards/."""
    words = _words()
    w = {key: escape(value) for key, value in words.items()}
    w["react_raw"] = words["react"]  # stamps_html escapes it itself
    csrf_input = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf)
    parts = [
        _comment(c, thread, base, csrf, csrf_input, page_number, can_moderate, is_asker, w)
        for c in comments
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


def _comment(
    c: Comment,
    thread: Thread,
    base: str,
    csrf: str,
    csrf_input: SafeString,
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
    author = escape(c.author.user.name) if c.author else w["former_member"]
    when = escape(date_format(localtime(c.created_at), "Y-m-d H:i"))
    meta = f'<a href="#c{number}">#{number}</a> <strong>{author}</strong> · {when}'
    if c.edited_at:
        meta += f' · <a href="{url}history/">{w["edited"]}</a>'
    if c.parent_id and c.parent is not None:
        parent_name = c.parent.author.user.name if c.parent.author else _("former member")
        reply = _("in reply to #%(number)s %(name)s") % {
            "number": c.parent.number,
            "name": parent_name,
        }
        meta += f" · {escape(reply)}"
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
            name = escape(f.name)
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
    if getattr(c, "can_edit", False):
        actions.append(f'<a href="{url}edit/">{w["edit"]}</a> ·')
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
    stamps = stamps_html(c.stamps, f"{base}comments/{c.pk}/react/", csrf, w["react_raw"])  # type: ignore[attr-defined]
    return (
        f'<li id="c{number}" class="{classes}"><p class="comment__meta muted">{meta}</p>'
        f'<div class="prose">{c.body_html}</div>{files}{stamps}'
        f'<div class="comment__actions">{" ".join(actions)}</div></li>'
    )
