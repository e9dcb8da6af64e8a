"""Talk rooms (see privacy/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from tsunagu.privacy.registry import Erase, Rule, register

from .excerpts import show_newest
from .models import Link, Message

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def tombstone_messages(rows: QuerySet[Message], ctx: Context) -> None:
    """As if the sender had deleted each message: the room says it was deleted, and the room
    list shows the newest message left (excerpts.py)."""
    if ctx.keep_posts:
        return
    now = timezone.now()
    rooms = set()
    for message in rows.filter(deleted_at__isnull=True):
        message.body = ""
        message.deleted_at = now
        message.is_pinned = False
        message.save(update_fields=["body", "deleted_at", "is_pinned"])
        rooms.add(message.room_id)
    Link.objects.filter(message__in=rows).delete()
    for room_id in sorted(rooms):
        show_newest(room_id)


register(
    Rule(
        "talk.Room",
        owner="created_by",
        erase=Erase.KEEP,
        why="who opened a room; the room belongs to its members",
    ),
    Rule(
        "talk.Room",
        owner="excerpt_sender",
        erase=Erase.KEEP,
        why="who wrote the message the room list shows; its text goes with the message",
    ),
    Rule("talk.RoomMember", owner="member", erase=Erase.DELETE, why="rooms joined, read marks"),
    Rule(
        "talk.Message",
        owner="sender",
        kind="talk_messages",
        export=("room_id", "room__name", "body", "created_at", "edited_at", "deleted_at"),
        erase=Erase.TOMBSTONE,
        erase_with=tombstone_messages,
    ),
    Rule(
        "talk.Reaction",
        owner="member",
        kind="talk_stamps",
        export=("message_id", "stamp", "created_at"),
        erase=Erase.DELETE,
    ),
    Rule(
        "talk.Attachment",
        owner="uploader",
        kind="talk_files",
        export=("room_id", "message_id", "name", "content_type", "size", "created_at"),
        files=("file", "thumbnail"),
        erase=Erase.DELETE,
        order=40,
    ),
)
