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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

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
        "report": _("Report"),
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
    w = _words()
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
    best = c.pk == thread.best_answer_id
    classes = (
        "comment" + (" comment--reply" if c.parent_id else "") + (" comment--best" if best else "")
    )
    if c.is_hidden and not can_moderate:
        return format_html(
            '<li id="c{0}" class="{1}"><p class="muted">#{0} {2}</p></li>',
            c.number,
            classes,
            w["hidden_by_operators"],
        )
    url = f"{base}comments/{c.pk}/"
    author = c.author.user.name if c.author else w["former_member"]
    meta = [
        format_html(
            '<a href="#c{0}">#{0}</a> <strong>{1}</strong> · {2}',
            c.number,
            author,
            date_format(localtime(c.created_at), "Y-m-d H:i"),
        )
    ]
    if c.edited_at:
        meta.append(format_html(' · <a href="{}history/">{}</a>', url, w["edited"]))
    if c.parent_id and c.parent is not None:
        parent_name = c.parent.author.user.name if c.parent.author else w["former_member"]
        meta.append(
            format_html(
                " · {}",
                _("in reply to #%(number)s %(name)s")
                % {"number": c.parent.number, "name": parent_name},
            )
        )
    if best:
        meta.append(format_html(' · <strong class="chip chip--answered">{}</strong>', w["best"]))
    if c.is_hidden:
        meta.append(format_html(" · <strong>{}</strong>", w["hidden"]))
    files = ""
    if getattr(c, "files", None):
        files = format_html(
            '<ul class="files">{}</ul>',
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (
                        format_html(
                            '<a href="{0}"><img src="{0}" alt="{1}" loading="lazy"></a>',
                            f"{base}files/{f.pk}/",
                            f.name,
                        )
                        if f.is_image
                        else format_html('<a href="{}">📄 {}</a>', f"{base}files/{f.pk}/", f.name),
                    )
                    for f in c.files  # type: ignore[attr-defined]
                ),
            ),
        )
    actions = []
    if not thread.is_locked:
        actions.append(
            format_html(
                '<a href="?page={}&amp;reply_to={}#comment-form">{}</a> ·',
                page_number,
                c.pk,
                w["reply"],
            )
        )
    if getattr(c, "can_edit", False):
        actions.append(format_html('<a href="{}edit/">{}</a> ·', url, w["edit"]))
    actions.append(format_html('<a href="{}report/">{}</a>', url, w["report"]))
    if is_asker and thread.is_consultation and c.author_id != thread.author_id:
        actions.append(
            format_html(
                '<form class="inline-form" method="post" action="{}best/">{}'
                '<button class="button button--small{}" type="submit">{}</button></form>',
                url,
                csrf_input,
                " button--ghost" if best else "",
                w["withdraw"] if best else w["mark_best"],
            )
        )
    if can_moderate:
        actions.append(
            format_html(
                '<form class="inline-form" method="post" action="{}moderate/">{}'
                '<input type="hidden" name="hidden" value="{}">'
                '<button class="button button--ghost button--small" type="submit">{}</button>'
                "</form>",
                url,
                csrf_input,
                "0" if c.is_hidden else "1",
                w["show_again"] if c.is_hidden else w["hide"],
            )
        )
    return format_html(
        '<li id="c{}" class="{}"><p class="comment__meta muted">{}</p>'
        '<div class="prose">{}</div>{}{}<div class="comment__actions">{}</div></li>',
        c.number,
        classes,
        mark_safe("".join(meta)),  # noqa: S308 - built by format_html
        mark_safe(c.body_html),  # noqa: S308 - cleaned by nh3 when saved
        files,
        stamps_html(c.stamps, f"{url}react/", csrf, w["react"]),  # type: ignore[attr-defined]
        mark_safe(" ".join(actions)),  # noqa: S308 - built by format_html
    )
