"""What the room list shows under each room: who wrote the newest message of its timeline, the
start of its text and when, stored on the room (``Room.excerpt_*``).

Looking for that message while the list is read cost the list a quarter of its time (a subquery
per room), so it is written instead, by the actions that change it and in their transaction: a
new message of the timeline (write_new()), and an edit, a deletion, a hiding or showing again
(show_newest(), which finds the newest message still shown to everyone). Replies stay in their
thread; a deleted or hidden message is passed over, so its text leaves the list with it.
"""

from __future__ import annotations

import re
from html import unescape

from django.utils.html import strip_tags

from tsunagu.core.text import strip_control

from .models import Message, Room

EXCERPT_CHARS = 40
ELLIPSIS = "…"
# Where a line or a block ends in the message's HTML, so "a</p><p>b" reads "a b".
_BREAK = re.compile(r"<(?:br|/p|/li|/h[1-6]|/blockquote|/pre|/tr|/td|/th)\b[^>]*>", re.I)


def excerpt_of(html: str) -> str:
    """The start of a message's text on one line, plain (no markup, entities read), at most
    EXCERPT_CHARS characters and an ellipsis; empty for a message of files alone."""
    html = html[: EXCERPT_CHARS * 40]  # enough for the line, a long link's address included
    if html.rfind("<") > html.rfind(">"):  # a tag cut off at the end
        html = html[: html.rfind("<")]
    text = strip_tags(_BREAK.sub(" ", html))
    text = strip_control(" ".join(unescape(text).split()))
    if len(text) > EXCERPT_CHARS:
        return text[:EXCERPT_CHARS].rstrip() + ELLIPSIS
    return text


def write_new(message: Message) -> None:
    """A new message of the timeline is the newest one: the room shows it. Called by the
    action that stores it, which holds the room's row (the number it took)."""
    if message.thread_root_id is not None:
        return
    Room.objects.filter(pk=message.room_id).update(
        excerpt_seq=message.seq,
        excerpt_sender=message.sender_id,
        excerpt=excerpt_of(message.body_html),
        excerpt_at=message.created_at,
    )


def write_edited(message: Message) -> None:
    """An edited message changes the list only where it is the one the room shows."""
    Room.objects.filter(pk=message.room_id, excerpt_seq=message.seq).update(
        excerpt=excerpt_of(message.body_html)
    )


def show_newest(room_id: int) -> None:
    """The room shows its newest message of the timeline that is neither deleted nor hidden
    (nothing when there is none). The room's row is locked first, so a message stored or
    changed at the same moment in another transaction is seen once that one has committed.
    Uses index: talk_message_timeline (room, seq) where thread_root is null, read backwards."""
    list(Room.objects.select_for_update().filter(pk=room_id).values_list("pk", flat=True))
    newest = (
        Message.objects.filter(
            room_id=room_id, thread_root__isnull=True, deleted_at__isnull=True, is_hidden=False
        )
        .order_by("-seq")
        .only("seq", "sender_id", "body_html", "created_at")
        .first()
    )
    Room.objects.filter(pk=room_id).update(
        excerpt_seq=newest.seq if newest else None,
        excerpt_sender=newest.sender_id if newest else None,
        excerpt=excerpt_of(newest.body_html) if newest else "",
        excerpt_at=newest.created_at if newest else None,
    )
