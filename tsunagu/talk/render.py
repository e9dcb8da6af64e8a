"""A room's messages as HTML, built in Python: 50 messages with their stamps, files and forms.

Plain strings and the standard library's ``escape`` on every value that is not a number or the
body's HTML (cleaned when saved); the words are looked up once per page. The browser script
(talk/static/talk/talk.js) builds the same markup for messages that arrive live.

What differs between readers is left as holes, filled per request by one regex pass
(Messages.fill()): the CSRF token, whether a message is the reader's own (its class, its edit and
delete links) and whether each stamp is theirs. The HTML with its holes is the same for every
reader with the same rights in the room, so the newest page of a room is cached under the room's
``last_seq`` (moved by every new message, replies included) and ``revision`` (moved by every
change to a posted message, its stamps or files: signals.py), see room_page().
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tsunagu.core import caching
from tsunagu.core.text import visible
from tsunagu.tenancy.names import shown_name

from .frames import stamp_label
from .models import Message, Stamp

# Holes: \x00 cannot occur in escaped text or in sanitised HTML.
CSRF_HOLE = "\x00c\x00"
_HOLE = re.compile("\x00(?:([mo])(\\d+)|([sp])(\\d+\\.\\d+)|c)\x00")
PAGE_TIMEOUT = 10 * 60  # bounds how long a renamed sender's old name can show


@dataclass
class RenderContext:
    """What the messages' HTML depends on besides the messages: the room's address and the
    reader's rights in it (readers with the same rights share the HTML)."""

    base: str  # the network's talk address, e.g. /n/mitsuba/talk/
    room_id: int
    can_react: bool
    can_moderate: bool
    can_pin: bool
    in_thread: bool = False
    read_only: bool = False  # an archived room: no edit or delete links on one's own messages

    def url(self, name: str, message_id: int) -> str:
        url = f"{self.base}r/{int(self.room_id)}/m/{int(message_id)}/"
        return url if name == "thread" else f"{url}{name}/"

    @property
    def variant(self) -> str:
        flags = (self.can_react, self.can_moderate, self.can_pin, self.read_only)
        return "".join(str(int(flag)) for flag in flags)


@dataclass
class Messages:
    """Messages as the same HTML for every reader with the same rights, with holes."""

    html: str
    # Per message id: its sender's membership id, and the links only the sender gets.
    senders: dict[int, int | None] = field(default_factory=dict)
    own: dict[int, str] = field(default_factory=dict)
    # Per stamp hole ("<message id>.<position>"): the members who sent that stamp.
    stamps: dict[str, frozenset[int]] = field(default_factory=dict)

    def fill(self, member_id: int, csrf_token: str) -> SafeString:
        csrf = escape(csrf_token)
        senders, own, stamps = self.senders, self.own, self.stamps

        def hole(match: re.Match[str]) -> str:
            kind, message, stamp_kind, stamp = match.groups()
            if kind == "m":
                return " talk-msg--mine" if senders.get(int(message)) == member_id else ""
            if kind == "o":
                pk = int(message)
                if senders.get(pk) == member_id:
                    return own.get(pk, "").replace(CSRF_HOLE, csrf)
                return ""
            if stamp_kind == "s":
                return " stamp--mine" if member_id in stamps.get(stamp, ()) else ""
            if stamp_kind == "p":
                return "true" if member_id in stamps.get(stamp, ()) else "false"
            return csrf

        return mark_safe(_HOLE.sub(hole, self.html))  # noqa: S308 - escaped when built


def _text(value: str) -> str:
    """Escaped text written by members: no NUL of theirs may pass for one of the holes (which
    PostgreSQL cannot store and forms refuse, but SQLite would keep)."""
    return visible(escape(value))


_PALETTES: dict[str, str] = {}


def palette_html() -> SafeString:
    """The stamp picker of a message; the browser script copies it for live messages."""
    language = get_language()
    html = _PALETTES.get(language)
    if html is None:
        stamps = "".join(
            f'<button class="stamp stamp--pick" name="stamp" value="{escape(key)}">'
            f"{escape(str(label))}</button>"
            for key, label in Stamp.choices
        )
        add, emoji, send = _("Add a stamp"), _("Emoji"), _("Send")
        html = _PALETTES[language] = (
            f'<details class="talk-stamps__more"><summary aria-label="{escape(add)}">＋</summary>'
            f'{stamps}<input class="talk-stamps__emoji" name="emoji" maxlength="8" '
            f'placeholder="😀" aria-label="{escape(emoji)}">'
            f'<button class="stamp stamp--pick" type="submit">{escape(send)}</button></details>'
        )
    return mark_safe(html)  # noqa: S308 - escaped above


def _words() -> dict[str, str]:
    words = {
        "reply": _("Reply in thread"),
        "edit": _("Edit"),
        "delete_confirm": _("Delete this message?"),
        "delete": _("Delete"),
        "unpin": _("Unpin"),
        "pin": _("Pin"),
        "show_again": _("Show again"),
        "hide": _("Hide"),
        "former_member": _("former member"),
        "edited": _("(edited)"),
        "pinned": _("Pinned"),
        "deleted": _("This message was deleted."),
        "hidden": _("This message was hidden by the operators."),
        "hidden_moderator": _("Hidden from members (you see it as an operator)."),
    }
    return {key: escape(value) for key, value in words.items()}


def _files(files: list[dict[str, Any]]) -> str:
    if not files:
        return ""
    items = []
    for f in files:
        url, name = escape(f["url"]), _text(f["name"])
        if f["image"]:
            items.append(
                f'<a class="talk-file talk-file--image" href="{url}">'
                f'<img src="{escape(f["thumb"])}" alt="{name}" loading="lazy"></a>'
            )
        else:
            size = escape(filesizeformat(f["size"]))
            items.append(
                f'<a class="talk-file" href="{url}">📎 {name} '
                f'<span class="muted">({size})</span></a>'
            )
    return f'<div class="talk-files">{"".join(items)}</div>'


def _stamps(
    ctx: RenderContext,
    message_id: int,
    reactions: list[dict[str, Any]],
    csrf_input: str,
    page: Messages,
) -> str:
    buttons = []
    for position, r in enumerate(reactions):
        hole = f"{int(message_id)}.{position}"
        page.stamps[hole] = frozenset(r["members"])
        buttons.append(
            f'<button class="stamp\x00s{hole}\x00" name="stamp" value="{_text(r["stamp"])}" '
            f'title="{_text("、".join(r["names"]))}" aria-pressed="\x00p{hole}\x00">'
            f'{_text(r["label"])} <span class="stamp__count">{len(r["members"])}</span></button>'
        )
    if not ctx.can_react:
        if not reactions:
            return ""
        return f'<div class="talk-stamps">{"".join(buttons)}</div>'
    return (
        f'<form class="talk-stamps" method="post" action="{escape(ctx.url("react", message_id))}">'
        f"{csrf_input}{''.join(buttons)}{palette_html()}</form>"
    )


def _actions(
    ctx: RenderContext, message: Message, w: dict[str, str], csrf_input: str, page: Messages
) -> str:
    # " · " between the parts; the sender's own links (edit, delete) are a hole between the
    # thread link and the moderators' forms, with the separators they bring.
    before = after = ""
    if not ctx.in_thread and message.thread_root_id is None:
        if message.reply_count:
            label = escape(_("%(count)d replies") % {"count": message.reply_count})
        else:
            label = w["reply"]
        before = f'<a href="{escape(ctx.url("thread", message.pk))}" data-replies>{label}</a>'
    if (ctx.can_pin or ctx.can_moderate) and not message.is_deleted:
        buttons = ""
        if ctx.can_pin:
            value, label = ("unpin", w["unpin"]) if message.is_pinned else ("pin", w["pin"])
            buttons += f'<button class="linklike" name="action" value="{value}">{label}</button>'
        if ctx.can_moderate:
            value, label = ("unhide", w["show_again"]) if message.is_hidden else ("hide", w["hide"])
            buttons += f'<button class="linklike" name="action" value="{value}">{label}</button>'
        after = (
            f'<form class="inline-form" method="post" '
            f'action="{escape(ctx.url("moderate", message.pk))}">{csrf_input}{buttons}</form>'
        )
    own = ""
    if (
        message.sender_id is not None
        and not ctx.read_only
        and not message.is_deleted
        and not message.is_hidden
    ):
        own = (
            f'<a href="{escape(ctx.url("edit", message.pk))}">{w["edit"]}</a> · '
            f'<form class="inline-form" method="post" '
            f'action="{escape(ctx.url("delete", message.pk))}">{csrf_input}<button '
            f'class="linklike" type="submit" data-confirm="{w["delete_confirm"]}">'
            f"{w['delete']}</button></form>"
        )
        if before:
            own = " · " + own
        elif after:
            own += " · "
        page.own[message.pk] = own
    hole = f"\x00o{int(message.pk)}\x00" if own else ""
    middle = " · " if before and after else ""
    return f'<div class="talk-msg__actions">{before}{hole}{middle}{after}</div>'


def _message(
    ctx: RenderContext,
    message: Message,
    files: list[dict[str, Any]],
    reactions: list[dict[str, Any]],
    w: dict[str, str],
    csrf_input: str,
    page: Messages,
) -> str:
    sender = message.sender
    name = _text(shown_name(sender))
    page.senders[message.pk] = message.sender_id
    when = timezone.localtime(message.created_at).strftime("%m/%d %H:%M")
    flags = []
    if message.edited_at and not message.is_deleted:
        flags.append(f'<span class="muted">{w["edited"]}</span>')
    if message.is_pinned:
        flags.append(f'<span title="{w["pinned"]}">📌</span>')
    if message.is_deleted:
        body = f'<p class="muted">{w["deleted"]}</p>'
    elif message.is_hidden and not ctx.can_moderate:
        body = f'<p class="muted">{w["hidden"]}</p>'
    else:
        body = visible(message.body_html)  # cleaned by nh3 when saved
        if message.is_hidden:
            body = f'<p class="muted">{w["hidden_moderator"]}</p>{body}'
    show_files = not message.is_deleted and (not message.is_hidden or ctx.can_moderate)
    seq, pk = int(message.seq), int(message.pk)
    sender_id = "" if message.sender_id is None else int(message.sender_id)
    return (
        f'<li class="talk-msg\x00m{pk}\x00" id="m{seq}" data-seq="{seq}" data-id="{pk}" '
        f'data-sender="{sender_id}"><div class="talk-msg__head"><strong>{name}</strong> '
        f'<time datetime="{escape(message.created_at.isoformat())}">{escape(when)}</time> '
        f'{" ".join(flags)}</div><div class="prose talk-msg__body">{body}</div>'
        + (_files(files) if show_files else "")
        + (_stamps(ctx, pk, reactions, csrf_input, page) if show_files else "")
        + _actions(ctx, message, w, csrf_input, page)
        + "</li>"
    )


def build_messages(
    ctx: RenderContext,
    messages: Iterable[Message],
    files: dict[int, list[dict[str, Any]]],
    reactions: dict[int, list[dict[str, Any]]],
) -> Messages:
    """The messages' HTML with holes for the reader's parts (see Messages.fill())."""
    w = _words()
    csrf_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_HOLE}">'
    page = Messages(html="")
    page.html = "".join(
        _message(ctx, m, files.get(m.pk, []), reactions.get(m.pk, []), w, csrf_input, page)
        for m in messages
    )
    return page


def render_messages(
    ctx: RenderContext,
    messages: Iterable[Message],
    files: dict[int, list[dict[str, Any]]],
    reactions: dict[int, list[dict[str, Any]]],
    *,
    member_id: int,
    csrf_token: str,
) -> SafeString:
    """The messages' HTML for one reader."""
    return build_messages(ctx, messages, files, reactions).fill(member_id, csrf_token)


@dataclass
class RoomPage:
    """A page of a room's timeline, the same for every reader with the same rights."""

    messages: Messages
    older_url: str = ""
    pinned_html: str = ""


def room_page(
    ctx: RenderContext,
    *,
    last_seq: int,
    revision: int,
    before: int | None,
    load: Callable[[], tuple[list[Message], bool, list[Message], dict[Any, Any], dict[Any, Any]]],
) -> RoomPage:
    """The page of the room's messages below ``before`` (the newest without). The newest page,
    the one every visit opens, comes from the cache when the room has not changed since it was
    built; older pages, seldom read and countless, are built each time.

    ``load()`` returns the page's messages (oldest first), whether older ones exist, the pinned
    messages, and the messages' files and stamps; it is called only when the page is not cached.
    It must read no message numbered above ``last_seq``: the page is stored under it.
    """
    key = None
    if before is None:
        key = caching.key(
            "talk", "page", int(ctx.room_id), int(last_seq), int(revision), ctx.variant,
            f"{ctx.in_thread:d}", ctx.base, language=True, zone=True,
        )  # fmt: skip
        page = caching.read(key)
        if page is not None:
            return page
    batch, has_older, pinned, files, reactions = load()
    older_url = f"?before={batch[0].seq}" if has_older and batch else ""
    pinned_html = ""
    if pinned:
        pinned_html = render_to_string(
            "talk/_pinned.html",
            {"pinned": pinned, "search_url": f"{ctx.base}r/{int(ctx.room_id)}/search/"},
        )
    page = RoomPage(
        messages=build_messages(ctx, batch, files, reactions),
        older_url=older_url,
        pinned_html=pinned_html,
    )
    if key is not None:
        caching.store(key, page, PAGE_TIMEOUT)
    return page


__all__ = [
    "Messages",
    "RenderContext",
    "RoomPage",
    "build_messages",
    "palette_html",
    "render_messages",
    "room_page",
    "stamp_label",
]
