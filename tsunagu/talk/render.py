"""A room's messages as HTML, built in Python: 50 messages with their stamps, files and forms.

Every value is escaped here (``format_html``); bodies are the HTML cleaned when saved. The browser
script (talk/static/talk/talk.js) builds the same markup for messages that arrive live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .frames import stamp_label
from .models import Message, Stamp


@dataclass
class RenderContext:
    slug: str
    room_id: int
    member_id: int
    csrf_token: str
    can_react: bool
    can_moderate: bool
    can_pin: bool
    in_thread: bool = False

    def url(self, name: str, message: Message) -> str:
        return reverse(
            f"talk:{name}",
            kwargs={"network_slug": self.slug, "room_id": self.room_id, "message_id": message.pk},
        )


def _csrf(ctx: RenderContext) -> SafeString:
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', ctx.csrf_token
    )


def _stamps(ctx: RenderContext, message: Message, reactions: list[dict[str, Any]]) -> SafeString:
    buttons = format_html_join(
        "",
        '<button class="stamp{}" name="stamp" value="{}" title="{}" aria-pressed="{}">{} '
        '<span class="stamp__count">{}</span></button>',
        (
            (
                " stamp--mine" if ctx.member_id in r["members"] else "",
                r["stamp"],
                "、".join(r["names"]),
                "true" if ctx.member_id in r["members"] else "false",
                r["label"],
                len(r["members"]),
            )
            for r in reactions
        ),
    )
    if not ctx.can_react:
        if not reactions:
            return mark_safe("")  # noqa: S308
        return format_html('<div class="talk-stamps">{}</div>', buttons)
    return format_html(
        '<form class="talk-stamps" method="post" action="{}">{}{}{}</form>',
        ctx.url("react", message),
        _csrf(ctx),
        buttons,
        palette_html(),
    )


def palette_html() -> SafeString:
    """The stamp picker of a message; the browser script copies it for live messages."""
    stamps = format_html_join(
        "",
        '<button class="stamp stamp--pick" name="stamp" value="{}">{}</button>',
        ((key, label) for key, label in Stamp.choices),
    )
    return format_html(
        '<details class="talk-stamps__more"><summary aria-label="{}">＋</summary>{}'
        '<input class="talk-stamps__emoji" name="emoji" maxlength="8" placeholder="{}" '
        'aria-label="{}">'
        '<button class="stamp stamp--pick" type="submit">{}</button></details>',
        _("Add a stamp"),
        stamps,
        "😀",
        _("Emoji"),
        _("Send"),
    )


def _files(message: Message, files: list[dict[str, Any]]) -> SafeString:
    if not files:
        return mark_safe("")  # noqa: S308
    items = []
    for f in files:
        if f["image"]:
            items.append(
                format_html(
                    '<a class="talk-file talk-file--image" href="{}"><img src="{}" alt="{}" '
                    'loading="lazy"></a>',
                    f["url"],
                    f["thumb"],
                    f["name"],
                )
            )
        else:
            items.append(
                format_html(
                    '<a class="talk-file" href="{}">📎 {} <span class="muted">({})</span></a>',
                    f["url"],
                    f["name"],
                    filesizeformat(f["size"]),
                )
            )
    return format_html('<div class="talk-files">{}</div>', mark_safe("".join(items)))  # noqa: S308


def _actions(ctx: RenderContext, message: Message) -> SafeString:
    parts: list[SafeString] = []
    if not ctx.in_thread and message.thread_root_id is None:
        label = (
            _("%(count)d replies") % {"count": message.reply_count}
            if message.reply_count
            else _("Reply in thread")
        )
        parts.append(
            format_html('<a href="{}" data-replies>{}</a>', ctx.url("thread", message), label)
        )
    if message.sender_id == ctx.member_id and not message.is_deleted and not message.is_hidden:
        parts.append(format_html('<a href="{}">{}</a>', ctx.url("edit", message), _("Edit")))
        parts.append(
            format_html(
                '<form class="inline-form" method="post" action="{}">{}<button class="linklike" '
                'type="submit" data-confirm="{}">{}</button></form>',
                ctx.url("delete", message),
                _csrf(ctx),
                _("Delete this message?"),
                _("Delete"),
            )
        )
    if (ctx.can_pin or ctx.can_moderate) and not message.is_deleted:
        buttons = []
        if ctx.can_pin:
            buttons.append(
                format_html(
                    '<button class="linklike" name="action" value="{}">{}</button>',
                    "unpin" if message.is_pinned else "pin",
                    _("Unpin") if message.is_pinned else _("Pin"),
                )
            )
        if ctx.can_moderate:
            buttons.append(
                format_html(
                    '<button class="linklike" name="action" value="{}">{}</button>',
                    "unhide" if message.is_hidden else "hide",
                    _("Show again") if message.is_hidden else _("Hide"),
                )
            )
        parts.append(
            format_html(
                '<form class="inline-form" method="post" action="{}">{}{}</form>',
                ctx.url("moderate", message),
                _csrf(ctx),
                mark_safe("".join(buttons)),  # noqa: S308
            )
        )
    return format_html(
        '<div class="talk-msg__actions">{}</div>',
        mark_safe(" · ".join(parts)),  # noqa: S308
    )


def render_message(
    ctx: RenderContext,
    message: Message,
    files: list[dict[str, Any]],
    reactions: list[dict[str, Any]],
) -> SafeString:
    sender = message.sender
    name = sender.user.name if sender is not None else _("former member")
    when = timezone.localtime(message.created_at)
    flags = []
    if message.edited_at and not message.is_deleted:
        flags.append(format_html('<span class="muted">{}</span>', _("(edited)")))
    if message.is_pinned:
        flags.append(format_html('<span title="{}">📌</span>', _("Pinned")))
    if message.is_deleted:
        body = format_html('<p class="muted">{}</p>', _("This message was deleted."))
    elif message.is_hidden and not ctx.can_moderate:
        body = format_html(
            '<p class="muted">{}</p>', _("This message was hidden by the operators.")
        )
    else:
        body = mark_safe(message.body_html)  # noqa: S308 - cleaned by nh3 when saved
        if message.is_hidden:
            body = format_html(
                '<p class="muted">{}</p>{}',
                _("Hidden from members (you see it as an operator)."),
                body,
            )
    show_files = not message.is_deleted and (not message.is_hidden or ctx.can_moderate)
    return format_html(
        '<li class="talk-msg{}" id="m{}" data-seq="{}" data-id="{}" data-sender="{}">'
        '<div class="talk-msg__head"><strong>{}</strong> <time datetime="{}">{}</time> {}</div>'
        '<div class="prose talk-msg__body">{}</div>{}{}{}</li>',
        " talk-msg--mine" if message.sender_id == ctx.member_id else "",
        message.seq,
        message.seq,
        message.pk,
        message.sender_id or "",
        name,
        message.created_at.isoformat(),
        when.strftime("%m/%d %H:%M"),
        mark_safe(" ".join(flags)),  # noqa: S308
        body,
        _files(message, files if show_files else []),
        _stamps(ctx, message, reactions) if show_files else mark_safe(""),  # noqa: S308
        _actions(ctx, message),
    )


def render_messages(
    ctx: RenderContext,
    messages: Iterable[Message],
    files: dict[int, list[dict[str, Any]]],
    reactions: dict[int, list[dict[str, Any]]],
) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece is built by format_html
        "".join(
            render_message(ctx, m, files.get(m.pk, []), reactions.get(m.pk, [])) for m in messages
        )
    )


__all__ = ["RenderContext", "palette_html", "render_message", "render_messages", "stamp_label"]
