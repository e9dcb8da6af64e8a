"""Every write of the talk rooms. Real-time events leave only from here, after commit."""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagu.core import caching
from tsunagu.core.queue import queue_after_commit
from tsunagu.core.text import strip_control
from tsunagu.notify.actions import notify
from tsunagu.notify.mentions import mentioned_members
from tsunagu.realtime.events import send_event
from tsunagu.realtime.hub import send_room_events
from tsunagu.tenancy.access import filter_active_members
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .access import (
    can_view,
    check_change_message_permission,
    check_create_room_permission,
    check_direct_permission,
    check_invite_permission,
    check_join_permission,
    check_leave_permission,
    check_manage_room_permission,
    check_moderate_permission,
    check_pin_permission,
    check_post_permission,
    check_react_permission,
    check_remove_from_room_permission,
    check_reply_permission,
    filter_invitees_for,
    is_joined,
    place_comes_with_role,
    places_of,
)
from .excerpts import show_newest, write_edited, write_new
from .files import inspect_upload, make_thumbnail
from .frames import message_payload, reactions_of
from .models import (
    BODY_MAX,
    CLIENT_ID_MAX,
    MANAGED_KINDS,
    Attachment,
    Link,
    Message,
    Reaction,
    Room,
    RoomKind,
    RoomMember,
    Stamp,
)
from .unread import bump_generation, compute_totals, forget_member

log = logging.getLogger(__name__)

URL = re.compile(r"https?://[^\s<>()\[\]{}「」、。]+", re.IGNORECASE)
CLIENT_ID = re.compile(rf"^[A-Za-z0-9_.:-]{{1,{CLIENT_ID_MAX}}}$")
MAX_EMOJI_LENGTH = 8
NOT_OPERATOR = [role for role in Role.values if role != Role.OPERATOR]


class SendError(ValidationError):
    """A message that cannot be stored; ``code`` names why for websocket error frames, and
    ``retry_after`` (seconds) when the same message will be taken later."""

    retry_after: float | None = None


def room_url(room: Room, slug: str) -> str:
    return reverse("talk:room", kwargs={"network_slug": slug, "room_id": room.pk})


def _room_event(room: Room, event: dict[str, Any]) -> None:
    send_room_events([room.group_name], event)


def _membership_changed(room: Room, user_ids: Iterable[int], joined: bool) -> None:
    """Tells the users' open talk sockets to follow (or stop following) the room."""
    send_event(
        room.network, {"type": "talk.membership", "room": room.pk, "joined": joined}, user_ids
    )


# --- Rooms --------------------------------------------------------------------------------------


def ensure_default_room(network: Network) -> Room:
    """The casual room (雑談) every network has; named in the site's language."""
    existing = Room.objects.filter(network=network, is_default=True).first()
    if existing is not None:
        return existing
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Casual chat")
        description = _("Life updates, “we had a drink”, anything: post without hesitation.")
    return Room.objects.create(
        network=network,
        kind=RoomKind.OPEN,
        name=name[:60],
        description=description,
        is_default=True,
    )


def _add_members(room: Room, members: Iterable[Membership], invited: bool = False) -> list[int]:
    """Adds members to a room; the user ids of those who were not in it yet. A place taken by
    oneself may come with the operator role (place_comes_with_role()); an invitation's does not."""
    added = []
    for member in members:
        _place, created = RoomMember.objects.get_or_create(
            network_id=room.network_id,
            room=room,
            member=member,
            defaults={
                "last_read_seq": room.last_seq,
                "via_role": not invited and place_comes_with_role(member, room),
            },
        )
        if created:
            added.append(member.user_id)
            forget_member(member.pk)
    return added


@transaction.atomic
def do_create_room(
    actor: Membership,
    *,
    kind: str,
    name: str,
    description: str = "",
    invitees: Iterable[Membership] = (),
) -> Room:
    if kind not in MANAGED_KINDS:
        raise ValidationError(_("Unknown room type."))
    check_create_room_permission(actor)
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the room a name."))
    room = Room(
        network=actor.network,
        kind=kind,
        name=name,
        description=description.strip(),
        created_by=actor,
    )
    room.full_clean()
    room.save()
    added = _add_members(room, [actor]) + _add_members(room, invitees, invited=True)
    _membership_changed(room, added, True)
    return room


@transaction.atomic
def do_update_room(actor: Membership, room: Room, *, name: str, description: str) -> Room:
    check_manage_room_permission(actor, room)
    room.name = name.strip()[:60] or room.name
    room.description = description.strip()[:300]
    room.save(update_fields=["name", "description"])
    return room


@transaction.atomic
def do_archive_room(actor: Membership, room: Room, archived: bool) -> Room:
    check_manage_room_permission(actor, room)
    room.is_archived = archived
    room.save(update_fields=["is_archived"])
    bump_generation(room.network_id)
    _room_event(room, {"type": "room", "room": room.pk, "archived": archived})
    return room


@transaction.atomic
def do_join_room(member: Membership, room: Room) -> RoomMember:
    check_join_permission(member, room)
    added = _add_members(room, [member])
    _membership_changed(room, added, True)
    return RoomMember.objects.get(room=room, member=member)


@transaction.atomic
def do_leave_room(member: Membership, room: Room) -> None:
    check_leave_permission(member, room, is_joined(member, room))
    if RoomMember.objects.filter(room=room, member=member).delete()[0]:
        forget_member(member.pk)
        _membership_changed(room, [member.user_id], False)


@transaction.atomic
def do_invite(actor: Membership, room: Room, invitees: Iterable[Membership]) -> list[int]:
    check_invite_permission(actor, room, is_joined(actor, room))
    targets = filter_invitees_for(actor, invitees)
    added = _add_members(room, targets, invited=True)
    _membership_changed(room, added, True)
    return added


@transaction.atomic
def do_remove_from_room(actor: Membership, room: Room, target: Membership) -> None:
    check_remove_from_room_permission(actor, room)
    if RoomMember.objects.filter(room=room, member=target).delete()[0]:
        forget_member(target.pk)
        _membership_changed(room, [target.user_id], False)


@transaction.atomic
def do_create_group(member: Membership, *, name: str, invitees: Iterable[Membership]) -> Room:
    others = [m for m in filter_invitees_for(member, invitees) if m.pk != member.pk]
    if not others:
        raise ValidationError(_("Choose at least one other member."))
    room = Room.objects.create(
        network=member.network,
        kind=RoomKind.GROUP,
        name=name.strip()[:60] or _("Group chat"),
        created_by=member,
    )
    added = _add_members(room, [member, *others])
    _membership_changed(room, added, True)
    return room


@transaction.atomic
def do_open_direct(member: Membership, other: Membership) -> Room:
    """The one conversation between two members, created on first use."""
    if other.pk == member.pk:
        raise ValidationError(_("You cannot send a direct message to yourself."))
    check_direct_permission(member, other)
    low, high = sorted((member.pk, other.pk))
    room, created = Room.objects.get_or_create(
        network=member.network,
        pair_key=f"dm:{low}:{high}",
        defaults={"kind": RoomKind.DIRECT, "created_by": member},
    )
    if created:
        _membership_changed(room, _add_members(room, [member, other]), True)
    return room


@transaction.atomic
def do_open_office(member: Membership) -> Room:
    """The member's conversation with the office: the member and every operator."""
    room, created = Room.objects.get_or_create(
        network=member.network,
        pair_key=f"office:{member.pk}",
        defaults={"kind": RoomKind.OFFICE, "created_by": member},
    )
    if created:
        operators = filter_active_members(member.network).filter(role=Role.OPERATOR)
        _membership_changed(room, _add_members(room, [member, *operators]), True)
    return room


# --- Messages -----------------------------------------------------------------------------------


def check_rate(member: Membership) -> None:
    """At most TALK_RATE_MESSAGES messages per TALK_RATE_SECONDS per member, in every tab (and
    in the rooms the network shares with linked networks, which count with its talk rooms)."""
    window = settings.TALK_RATE_SECONDS
    bucket = int(timezone.now().timestamp()) // window
    try:
        count = caching.count_hit(caching.key("talk", "rate", member.pk, bucket), window * 2)
    except Exception:  # the cache is down: let messages through rather than lose them
        log.warning("talk: rate limit unavailable", exc_info=True)
        return
    if count > settings.TALK_RATE_MESSAGES:
        error = SendError(
            _("You are sending messages too fast. Wait a few seconds and try again."), code="rate"
        )
        error.retry_after = math.ceil((window - timezone.now().timestamp() % window) * 100) / 100
        raise error


def validate_body(body: str, has_file: bool) -> str:
    body = strip_control(body, lines=True).strip()  # the socket has no form to refuse a NUL
    if not body and not has_file:
        raise SendError(_("Write a message first."), code="empty")
    if len(body) > BODY_MAX:
        raise SendError(
            _("The message is too long (%(length)d characters). The limit is %(limit)d.")
            % {"length": len(body), "limit": BODY_MAX},
            code="too_long",
        )
    return body


def validate_client_id(client_id: str) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise SendError(_("The message has no valid client id."), code="bad_client_id")
    return client_id


class _AlreadyStored(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message


def _take_seq(room: Room) -> int:
    # The UPDATE locks the room's row until commit: messages of a room are numbered and committed
    # one at a time, so no reader can see number n before every number below n is settled.
    now = timezone.now()
    Room.objects.filter(pk=room.pk).update(last_seq=F("last_seq") + 1, last_message_at=now)
    return Room.objects.filter(pk=room.pk).values_list("last_seq", flat=True).get()


def do_send_message(
    member: Membership,
    room: Room,
    *,
    body: str,
    client_id: str,
    thread_root: Message | None = None,
    upload: UploadedFile | None = None,
    rate_limited: bool = True,
) -> tuple[Message, bool]:
    """Stores a message once per (sender, client id); returns it and whether it is new.

    A message sent again with the same client id (its acknowledgement was lost) is not stored a
    second time: the first one is returned, with its sequence number.
    """
    validate_client_id(client_id)
    body = validate_body(body, upload is not None)
    existing = Message.objects.filter(sender=member, client_id=client_id).first()
    if existing is not None:
        return existing, False
    content_type = is_image = None
    if upload is not None:
        try:
            upload, content_type, is_image = inspect_upload(upload)
        except ValidationError as error:
            raise SendError(error.messages[0], code="bad_file") from None
    if rate_limited:
        check_rate(member)
    try:
        with transaction.atomic():
            message = _store(
                member, room, body, client_id, thread_root, upload, content_type, is_image
            )
    except _AlreadyStored as stored:
        return stored.message, False
    except IntegrityError:
        again = Message.objects.filter(sender=member, client_id=client_id).first()
        if again is None:
            raise
        return again, False
    return message, True


def _store(
    member: Membership,
    room: Room,
    body: str,
    client_id: str,
    thread_root: Message | None,
    upload: UploadedFile | None,
    content_type: str | None,
    is_image: bool | None,
) -> Message:
    place = places_of(member).filter(room=room).first()
    check_post_permission(member, room, place is not None)
    if thread_root is not None:
        try:
            check_reply_permission(member, room, thread_root)
        except Http404:
            raise SendError(_("That message is not in this room."), code="not_found") from None
        if thread_root.thread_root_id is not None:
            thread_root = thread_root.thread_root  # replies go one level deep
    seq = _take_seq(room)
    stored = Message.objects.filter(sender=member, client_id=client_id).first()
    if stored is not None:  # sent twice at once: the other request won the room's lock first
        raise _AlreadyStored(stored)
    message = Message(
        network_id=room.network_id,
        room=room,
        seq=seq,
        sender=member,
        client_id=client_id,
        body=body,
        thread_root=thread_root,
    )
    message.save()
    write_new(message)
    attachments = []
    if upload is not None and content_type is not None:
        attachments.append(_attach(member, room, message, upload, content_type, bool(is_image)))
    for url in dict.fromkeys(URL.findall(body)):
        if len(url) <= 500:
            Link.objects.create(network_id=room.network_id, room=room, message=message, url=url)
    if thread_root is not None:
        Message.objects.filter(pk=thread_root.pk).update(reply_count=F("reply_count") + 1)
    # One's own message is read; joining by posting (open rooms) happens here too.
    if place is None:
        place = RoomMember.objects.create(
            network_id=room.network_id,
            room=room,
            member=member,
            last_read_seq=seq,
            via_role=place_comes_with_role(member, room),
        )
        _membership_changed(room, [member.user_id], True)
    else:
        RoomMember.objects.filter(pk=place.pk).update(last_read_seq=seq)
    message.sender = member
    bump_generation(room.network_id)
    _queue_room_totals(room, member)  # replies too: they take a number, counted unread
    _room_event(
        room, {"type": "message", **message_payload(message, member.network.slug, attachments)}
    )
    _notify_about(member, room, message, place.last_read_seq if place else 0)
    return message


def _attach(
    member: Membership,
    room: Room,
    message: Message,
    upload: UploadedFile,
    content_type: str,
    is_image: bool,
) -> Attachment:
    name = os.path.basename(upload.name or "file")[-200:] or "file"
    attachment = Attachment(
        network_id=room.network_id,
        room=room,
        message=message,
        uploader=member,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        is_image=is_image,
    )
    if is_image:
        thumbnail = make_thumbnail(upload)
        if thumbnail is not None:
            attachment.thumbnail.save("thumbnail.jpg", thumbnail, save=False)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def _notify_about(member: Membership, room: Room, message: Message, _read: int) -> None:
    slug = member.network.slug
    url = room_url(room, slug) + f"#m{message.seq}"
    mentioned = [
        m
        for m in mentioned_members(member, message.body).select_related("user")
        if can_view(m, room, places_of(m).filter(room=room).exists())
    ]
    if mentioned:
        notify(
            member.network,
            [m.user_id for m in mentioned],
            "talk_mention",
            params={"actor": member.user.name, "room": room.name or _("direct message")},
            body=message.body[:200],
            url=url,
            actor=member.user,
        )
    if room.kind in (RoomKind.DIRECT, RoomKind.OFFICE):
        # One notification per unread streak: only to those who had read everything before this.
        waiting = (
            RoomMember.objects.filter(room=room, last_read_seq=message.seq - 1)
            .exclude(member=member)
            .exclude(via_role=True, member__role__in=NOT_OPERATOR)
        )
        recipients = set(waiting.values_list("member__user_id", flat=True)) - {
            m.user_id for m in mentioned
        }
        if recipients:
            notify(
                member.network,
                recipients,
                "talk_direct",
                params={"actor": member.user.name},
                body=message.body[:200],
                url=url,
                actor=member.user,
            )


def _update_event(message: Message, slug: str) -> None:
    attachments = list(message.attachments.all())
    room = message.room
    _room_event(room, {"type": "update", **message_payload(message, slug, attachments)})


@transaction.atomic
def do_edit_message(member: Membership, message: Message, body: str) -> Message:
    room = message.room
    check_change_message_permission(member, room, message, is_joined(member, room))
    body = validate_body(body, message.attachments.exists())
    message.body = body
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "edited_at"])
    write_edited(message)
    Link.objects.filter(message=message).delete()
    for url in dict.fromkeys(URL.findall(body)):
        if len(url) <= 500:
            Link.objects.create(
                network_id=message.network_id, room_id=message.room_id, message=message, url=url
            )
    _update_event(message, member.network.slug)
    return message


@transaction.atomic
def do_delete_message(member: Membership, message: Message) -> Message:
    room = message.room
    check_change_message_permission(member, room, message, is_joined(member, room))
    message.body = ""
    message.deleted_at = timezone.now()
    message.is_pinned = False
    message.save(update_fields=["body", "deleted_at", "is_pinned"])
    Link.objects.filter(message=message).delete()
    for attachment in message.attachments.all():
        attachment.file.delete(save=False)
        if attachment.thumbnail:
            attachment.thumbnail.delete(save=False)
    message.attachments.all().delete()
    show_newest(room.pk)
    _update_event(message, member.network.slug)
    return message


@transaction.atomic
def do_set_hidden(actor: Membership, message: Message, hidden: bool) -> Message:
    check_moderate_permission(actor, message.room)
    message.is_hidden = hidden
    message.save(update_fields=["is_hidden"])
    show_newest(message.room_id)
    _update_event(message, actor.network.slug)
    return message


@transaction.atomic
def do_set_pinned(actor: Membership, message: Message, pinned: bool) -> Message:
    """Pins or unpins; whether the actor is in the room is read here, never taken on trust."""
    check_pin_permission(actor, message.room, message, is_joined(actor, message.room))
    message.is_pinned = pinned
    message.save(update_fields=["is_pinned"])
    _update_event(message, actor.network.slug)
    return message


def validate_stamp(stamp: object) -> str:
    if not isinstance(stamp, str) or not stamp:
        raise SendError(_("Choose a stamp."), code="bad_stamp")
    if stamp in Stamp.values:
        return stamp
    # Any single emoji (with its modifiers), never letters or markup.
    if len(stamp) > MAX_EMOJI_LENGTH or any(ch.isalnum() or ch in "<>&\"' " for ch in stamp):
        raise SendError(_("Choose a stamp or an emoji."), code="bad_stamp")
    if not any(ord(ch) >= 0x2100 for ch in stamp):
        raise SendError(_("Choose a stamp or an emoji."), code="bad_stamp")
    return stamp


@transaction.atomic
def do_toggle_reaction(member: Membership, message: Message, stamp: str) -> bool:
    """Adds the member's stamp, or takes it back; True when it now exists."""
    stamp = validate_stamp(stamp)
    room = message.room
    check_react_permission(member, room, message, is_joined(member, room))
    existing = Reaction.objects.filter(message=message, member=member, stamp=stamp)
    if existing.delete()[0]:
        added = False
    else:
        try:
            with transaction.atomic():
                Reaction.objects.create(
                    network_id=message.network_id, message=message, member=member, stamp=stamp
                )
        except IntegrityError:  # a double click: the first one won
            pass
        added = True
    reactions = reactions_of([message.pk]).get(message.pk, [])
    _room_event(
        room, {"type": "reactions", "room": room.pk, "id": message.pk, "reactions": reactions}
    )
    return added


def do_mark_read(member: Membership, room: Room, seq: int) -> bool:
    """Moves the member's read marker forward (never back); True when it moved.

    In conversations (group chats, direct messages, the office) the others see it live, as
    「既読」; in rooms of the whole network nobody needs to know.
    """
    last_seq = Room.objects.filter(pk=room.pk).values_list("last_seq", flat=True).first() or 0
    seq = min(int(seq), last_seq)
    with transaction.atomic():
        moved = RoomMember.objects.filter(room=room, member=member, last_read_seq__lt=seq).update(
            last_read_seq=seq
        )
        if moved:
            forget_member(member.pk)
            from .tasks import push_member_total

            queue_after_commit(push_member_total, member.network_id, member.pk)
        if moved and room.kind in (RoomKind.GROUP, RoomKind.DIRECT, RoomKind.OFFICE):
            _room_event(
                room,
                {"type": "read", "room": room.pk, "member": member.pk, "seq": seq},
            )
    return bool(moved)


# --- The header's count, live on every page -----------------------------------------------------


def _queue_room_totals(room: Room, sender: Membership) -> None:
    """After the commit, the others in the room learn their new total (tasks.py): a room may
    hold the whole network, which is no work for the request that posts in it."""
    from .tasks import push_room_totals

    queue_after_commit(push_room_totals, room.network_id, room.pk, sender.pk)


def room_readers(room_id: int, sender_id: int | None) -> QuerySet[Membership]:
    """The active members whose place in the room counts (access.CountedPlaces: a place that
    came with the operator role counts only for an operator), but the sender."""
    places = (
        RoomMember.objects.filter(room_id=room_id)
        .exclude(via_role=True, member__role__in=NOT_OPERATOR)
        .exclude(member_id=sender_id)
    )
    return Membership.objects.filter(pk__in=places.values("member_id"), status=Status.ACTIVE)


def send_unread_totals(network: Network, members: QuerySet[Membership]) -> None:
    """Tells each of ``members`` their talk total (the header's count, unread.py) over the
    network socket, which every page of the network opens: ``{"type": "count", "link": "talk",
    "count": n, "at": ms}``. ``at`` is when the totals were read: a browser keeps the latest,
    whatever order two pushes arrive in."""
    at = int(time.time() * 1000)
    users = dict(members.values_list("pk", "user_id"))
    totals = compute_totals(members)
    by_total: dict[int, list[int]] = defaultdict(list)
    for member_id, user_id in users.items():
        by_total[totals.get(member_id, 0)].append(user_id)
    for total, user_ids in sorted(by_total.items()):
        event = {"type": "count", "link": "talk", "count": total, "at": at}
        send_event(network, event, user_ids)
