"""What a websocket frame says about a message, its reactions, and the room list's counts.

Frames are the same for every reader of a room, so a hub encodes each one once. Whether a
message is the reader's own (to offer edit and delete) is decided by the browser, which knows
its membership id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from tsunagu.tenancy.names import shown_member, shown_name

from .excerpts import excerpt_of
from .models import Attachment, Message, Reaction, Stamp

STAMP_EMOJI = {key: label for key, label in Stamp.choices}


def stamp_label(stamp: str) -> str:
    return STAMP_EMOJI.get(stamp, stamp)


def attachment_payload(attachment: Attachment, slug: str) -> dict[str, Any]:
    url = reverse("talk:attachment", kwargs={"network_slug": slug, "file_id": attachment.pk})
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "image": attachment.is_image,
        "url": url,
        "thumb": f"{url}?thumb=1" if attachment.is_image and attachment.thumbnail else url,
    }


def message_payload(
    message: Message, slug: str, attachments: Iterable[Attachment] = ()
) -> dict[str, Any]:
    visible = not message.is_deleted and not message.is_hidden
    sender = message.sender
    return {
        "room": message.room_id,
        "id": message.pk,
        "seq": message.seq,
        "client_id": message.client_id,
        "sender": sender.pk if sender is not None else None,
        "name": shown_name(sender) if shown_member(sender) is not None else "",
        "html": message.body_html if visible else "",
        # The room list's line (excerpts.py), for a new message of the timeline.
        "excerpt": excerpt_of(message.body_html) if visible else "",
        "created": message.created_at.isoformat(),
        "thread": message.thread_root_id,
        "replies": message.reply_count,
        "edited": message.edited_at is not None,
        "deleted": message.is_deleted,
        "hidden": message.is_hidden,
        "pinned": message.is_pinned,
        "files": [attachment_payload(a, slug) for a in attachments] if visible else [],
    }


def reactions_of(messages: QuerySet[Message] | list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per message id: each stamp with the members who sent it (ids and names), in one query."""
    rows = (
        Reaction.objects.filter(message__in=messages)
        .select_related("member__user")
        .only("message_id", "stamp", "member_id", "member__user__name", "member__status")
        .order_by("message_id", "id")
    )
    grouped: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        entry = grouped[row.message_id].setdefault(
            row.stamp,
            {"stamp": row.stamp, "label": stamp_label(row.stamp), "members": [], "names": []},
        )
        entry["members"].append(row.member_id)
        entry["names"].append(shown_name(row.member))
    return {message_id: list(stamps.values()) for message_id, stamps in grouped.items()}
