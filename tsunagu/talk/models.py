"""Talk rooms, group chats and direct messages: rooms, who is in them, messages and what hangs on
them (reactions, attachments, links)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.core.markdown import render_markdown
from tsunagu.core.storage import private_storage
from tsunagu.tenancy.models import Membership, Network

BODY_MAX = 4000
NAME_MAX = 60
MESSAGES_PER_PAGE = 50
CLIENT_ID_MAX = 64


class RoomKind(models.TextChoices):
    OPEN = "open", _("Open room")
    CLOSED = "closed", _("Closed room")
    ANNOUNCEMENT = "announcement", _("Announcement room")
    ALUMNI = "alumni", _("Alumni-only room")
    EMPLOYEE = "employee", _("Employee-only room")
    GROUP = "group", _("Group chat")
    DIRECT = "direct", _("Direct message")
    OFFICE = "office", _("Message to the office")


# Rooms that operators create and manage; the others are made by members for themselves.
MANAGED_KINDS = (
    RoomKind.OPEN,
    RoomKind.CLOSED,
    RoomKind.ANNOUNCEMENT,
    RoomKind.ALUMNI,
    RoomKind.EMPLOYEE,
)
PRIVATE_KINDS = (RoomKind.GROUP, RoomKind.DIRECT, RoomKind.OFFICE)


class Room(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=16, choices=RoomKind.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Direct messages and messages to the office are found again by this key, so a second
    # "message" click opens the same conversation: "dm:<low membership id>:<high>", "office:<id>".
    pair_key = models.CharField(max_length=40, null=True, blank=True, editable=False)
    is_default = models.BooleanField(default=False, editable=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The counter of message sequence numbers. A message takes the next number while this row is
    # locked, in the transaction that inserts it, so numbers are committed in order: a reader who
    # has seen number n can never later find a committed message below n that it missed.
    last_seq = models.BigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # What the room list shows of the newest message of the timeline that is neither deleted
    # nor hidden (excerpts.py): its number (None: no such message), sender, the start of its
    # text (empty: files only) and time. Written by the actions that change it.
    excerpt_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    excerpt_sender = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    excerpt = models.CharField(max_length=64, blank=True, editable=False)
    excerpt_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Moves on with every change to a message already posted, its stamps or its files
    # (apps.py); new messages move ``last_seq``. A room page's messages are cached under both.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[models.Manager[Room]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "pair_key"],
                condition=models.Q(pair_key__isnull=False),
                name="talk_room_pair_once",
            )
        ]
        indexes = [models.Index(fields=["network", "kind", "is_archived"])]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def is_private(self) -> bool:
        return self.kind in PRIVATE_KINDS

    @property
    def group_name(self) -> str:
        return room_group(self.network_id, self.pk)


def room_group(network_id: int, room_id: int) -> str:
    """The channel-layer group of a room: one subscription per process, not per connection."""
    return f"talk.{network_id}.{room_id}"


class RoomMember(models.Model):
    """A member's place in a room, with how far they have read."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)
    # The place came with the operator role: an operator in a conversation with the office, or in
    # a closed room they joined or created as an operator. It counts only while the member is an
    # operator, and it is removed when they stop being one (signals.py).
    via_role = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[RoomMember]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "member"], name="talk_room_member_once")
        ]
        indexes = [models.Index(fields=["network", "member"], name="talk_member_rooms")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.room_id}"


class Message(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.BigIntegerField()
    sender = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Chosen by the sender's client: a message resent after a lost acknowledgement is stored once.
    client_id = models.CharField(max_length=CLIENT_ID_MAX)
    body = models.TextField(max_length=BODY_MAX, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    # Replies form a thread under their first message; they are not shown in the room's timeline.
    thread_root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[Message]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="talk_message_seq"),
            models.UniqueConstraint(fields=["sender", "client_id"], name="talk_message_client_id"),
        ]
        indexes = [
            models.Index(fields=["thread_root", "seq"], name="talk_message_thread"),
            models.Index(
                fields=["room", "seq"],
                condition=models.Q(thread_root__isnull=True),
                name="talk_message_timeline",
            ),
            # The few pinned messages of a room, without walking its whole history.
            models.Index(
                fields=["room", "seq"],
                condition=models.Q(is_pinned=True),
                name="talk_message_pinned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = str(render_markdown(self.body)) if self.body else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Stamp(models.TextChoices):
    """The network's stamps; members may also react with any single emoji."""

    LIKE = "like", "👍"
    THANKS = "thanks", "🙏"
    CLAP = "clap", "👏"
    CHEERS = "cheers", "🍻"
    GOOD_MORNING = "morning", "☀️"
    WELCOME = "welcome", "🎉"
    LAUGH = "laugh", "😂"
    IDEA = "idea", "💡"


class Reaction(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    # A stamp's key or one emoji.
    stamp = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Reaction]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "member", "stamp"], name="talk_reaction_once"
            )
        ]

    def __str__(self) -> str:
        return self.stamp


def attachment_path(instance: Any, filename: str) -> str:
    # The stored name never comes from the uploader.
    return f"talk/{instance.network_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    uploader = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(
        storage=private_storage, upload_to=attachment_path, max_length=200, blank=True
    )
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    is_image = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Attachment]] = ScopedManager(network="network")

    class Meta:
        indexes = [models.Index(fields=["room", "-id"], name="talk_attachment_room")]

    def __str__(self) -> str:
        return self.name


class Link(models.Model):
    """A web address written in a message, so a room can list what was shared in it."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Link]] = ScopedManager(network="network")

    class Meta:
        indexes = [models.Index(fields=["room", "-id"], name="talk_link_room")]

    def __str__(self) -> str:
        return self.url
