"""Links between two networks, agreed by both, and what their members chose to share across.

A link is one row seen from both sides: ``network`` asked, ``partner`` was asked. Its manager
keeps the fail-closed rule of the scoped managers (no network scope, no query) and narrows to
the links the scope's network is a side of. Co-hosted events, shared rooms and shared
opportunities hang their rows on a link and read its ``scopes``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope

from tsunagu.tenancy.models import Membership, Network


class Scope(models.TextChoices):
    EVENTS = "events", _("Co-hosted events")
    ROOMS = "rooms", _("Shared talk rooms")
    OPPORTUNITIES = "opportunities", _("Shared opportunities")
    DIRECTORY = "directory", _("Directory of members who opt in")


SCOPE_ORDER = [str(s) for s in Scope.values]


class LinkState(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("network link", "Requested")
    COUNTERED = "countered", pgettext_lazy("network link", "Other terms proposed")
    ACTIVE = "active", pgettext_lazy("network link", "Active")
    DECLINED = "declined", pgettext_lazy("network link", "Declined")
    REVOKED = "revoked", pgettext_lazy("network link", "Ended")
    LAPSED = "lapsed", pgettext_lazy("network link", "Not concluded")


_M = TypeVar("_M", bound=models.Model)

OPEN_STATES = (LinkState.REQUESTED, LinkState.COUNTERED, LinkState.ACTIVE)
PENDING_STATES = (LinkState.REQUESTED, LinkState.COUNTERED)
# A first request waits this long for an answer. Until then the asking side sees it waiting,
# whether the other side has not answered, has declined, or is no network at all; after it, all
# three end alike as "not concluded".
REQUEST_DAYS = 30


class LinkQuerySet(models.QuerySet["Link"]):
    def of_network(self, network_id: int) -> LinkQuerySet:
        return self.filter(Q(network_id=network_id) | Q(partner_id=network_id))

    def live(self) -> LinkQuerySet:
        """The links in force: active, between two active networks."""
        return self.filter(state=LinkState.ACTIVE, network__is_active=True, partner__is_active=True)


class TwoSidedManager(models.Manager[_M]):
    """Fails closed like the scoped managers, and narrows to the rows the scope's network is a
    side of (the asking side or the asked one, the owner or the partner)."""

    queryset_class: Any

    def get_queryset(self) -> Any:
        current = get_scope()
        qs = self.queryset_class(self.model, using=self._db)
        if not current.get("_enabled", True):
            return qs
        if "network" not in current:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes={"network"})
        value = current["network"]
        if value is None:
            return qs
        network_id = value.pk if isinstance(value, Network) else value
        return qs.of_network(network_id)

    def of_network(self, network_id: int) -> Any:
        """The links of ``network_id`` (either side), under the same scope rule."""
        qs = self.get_queryset()
        if isinstance(qs, DisabledQuerySet):
            qs.error()
        return qs.of_network(network_id)


class LinkManager(TwoSidedManager["Link"]):
    queryset_class = LinkQuerySet


class Link(models.Model):
    """Network ``network`` asked ``partner`` to link. ``partner`` is empty when the address asked
    for names no active network: the request then waits for ever, exactly like one a network
    never answers, so that asking tells nothing about which networks exist."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    asked_slug = models.CharField(max_length=50)
    state = models.CharField(max_length=16, choices=LinkState.choices, default=LinkState.REQUESTED)
    # Agreed (active) or proposed (pending): a list of Scope values.
    scopes = models.JSONField(default=list)
    message = models.TextField(max_length=2000, blank=True)
    # The side whose operators must answer a pending link (the partner, or the asking network
    # after a counter-proposal).
    awaiting = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Whether the asked network has acted on it (answered, proposed, ended): only then does the
    # asking side see its name.
    answered = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # When a first request lapses unless the other side has answered it (REQUEST_DAYS).
    expires_at = models.DateTimeField(null=True, blank=True)
    # Whether the asking side has been told how the request ended: at once for an answer that
    # names the other side (accepted, other terms); at the lapse for a decline or no answer.
    asker_told = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Network, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )

    objects: ClassVar[LinkManager] = LinkManager()

    class Meta:
        # By when it was asked: an order by last change would tell the asking side that the
        # other side declined.
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["network", "state"]),
            models.Index(fields=["partner", "state"]),
        ]
        constraints = [
            # One open link (pending or active) per pair of networks, whoever asked.
            models.UniqueConstraint(
                Least("network", "partner"),
                Greatest("network", "partner"),
                condition=Q(state__in=["requested", "countered", "active"], partner__isnull=False),
                name="collab_one_open_link_per_pair",
            ),
            models.UniqueConstraint(
                "network",
                "asked_slug",
                condition=Q(state__in=["requested", "countered"]),
                name="collab_one_pending_request_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network_id} → {self.asked_slug} ({self.state})"

    def other_side(self, network_id: int) -> Network | None:
        return self.partner if network_id == self.network_id else self.network

    def other_name(self, network_id: int) -> str:
        """The other side as this side may name it: the asking side names the address it typed
        until the other side has answered (its name would say that the address is a network)."""
        if network_id != self.network_id:
            return self.network.name
        if self.partner is not None and self.answered:
            return self.partner.name
        return self.asked_slug

    def state_for(self, network_id: int, now: datetime | None = None) -> str:
        """The state as ``network_id``'s side may know it. The asking side of a first request
        learns of a decline only when the request lapses, exactly as it would for an address of
        no network, which nobody ever answers: both wait, then end alike."""
        hidden = network_id == self.network_id and not self.answered
        if hidden and self.state in (LinkState.REQUESTED, LinkState.DECLINED):
            lapsed = self.asker_told or (
                self.expires_at is not None and (now or timezone.now()) >= self.expires_at
            )
            return LinkState.LAPSED if lapsed else LinkState.REQUESTED
        return str(self.state)

    def state_label_for(self, network_id: int) -> str:
        return str(dict(LinkState.choices)[self.state_for(network_id)])

    def is_side(self, network_id: int) -> bool:
        return network_id in (self.network_id, self.partner_id)

    @property
    def is_active(self) -> bool:
        return self.state == LinkState.ACTIVE

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES

    def scope_labels(self) -> list[str]:
        return [label for _value, label in self.scope_choices()]

    def scope_choices(self) -> list[tuple[str, str]]:
        labels = dict(Scope.choices)
        return [(s, str(labels[s])) for s in SCOPE_ORDER if s in (self.scopes or [])]


class OptIn(models.Model):
    """A member's consent to be shown to the members of a linked network (the directory's scope
    of one link). Opting out ends the row; opting in again makes a new one, so each disclosure
    names the consent it relied on."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="opt_ins")
    opted_in_at = models.DateTimeField(auto_now_add=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[OptIn]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-opted_in_at", "-id"]
        indexes = [models.Index(fields=["network", "link"])]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "link"],
                condition=Q(opted_out_at__isnull=True),
                name="collab_one_current_opt_in",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → link {self.link_id}"


class Disclosure(models.Model):
    """A record of provision to a third party (APPI Arts. 29-30): a member's data was shown to
    members of another network. One row per (viewer network, person, day), its fields merged;
    ``network`` is the person's own network, which keeps the record."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    viewer_network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    fields = models.JSONField(default=list)
    views = models.PositiveIntegerField(default=0)
    # What the record relied on when the data was first shown that day, exactly one of: the
    # member's opt-in to the linked directory, their joining the shared room where it was shown,
    # or (``basis``) what they sent themselves (an application to a linked network's opportunity).
    consent = models.ForeignKey(
        OptIn, on_delete=models.RESTRICT, related_name="+", null=True, blank=True
    )
    room_member = models.ForeignKey(
        "SharedRoomMember", on_delete=models.RESTRICT, related_name="+", null=True, blank=True
    )
    basis = models.CharField(max_length=60, blank=True)
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    objects: ClassVar[models.Manager[Disclosure]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [
            models.Index(fields=["network", "-day"]),
            models.Index(fields=["network", "membership", "-day"]),
            models.Index(fields=["day"], name="collab_disclosure_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["viewer_network", "membership", "day"],
                name="collab_one_disclosure_per_day",
            ),
            models.CheckConstraint(
                condition=Q(consent__isnull=False, room_member__isnull=True, basis="")
                | Q(consent__isnull=True, room_member__isnull=False, basis="")
                | (Q(consent__isnull=True, room_member__isnull=True) & ~Q(basis="")),
                name="collab_disclosure_one_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.viewer_network_id} {self.day}"

    @property
    def consent_kind(self) -> str:
        if self.room_member_id is not None:
            return str(_("Joined a shared room"))
        if self.consent_id is None:
            return str(_("Sent by the member (an application)"))
        return str(_("Consent to be shown to linked networks"))

    @property
    def consent_given_at(self) -> datetime | None:
        if self.room_member is not None:
            return self.room_member.joined_at
        if self.consent is None:
            return None
        return self.consent.opted_in_at

    @property
    def consent_reference(self) -> str:
        if self.room_member_id is not None:
            return f"room-member #{self.room_member_id}"
        if self.consent_id is None:
            return self.basis
        return f"opt-in #{self.consent_id}"


class SharedRoomManager(models.Manager["SharedRoom"]):
    """Fails closed like the scoped managers, and narrows to the rooms of the scope network's
    links: the room belongs to the link, so to both of its sides."""

    def get_queryset(self) -> Any:
        current = get_scope()
        qs: models.QuerySet[SharedRoom] = models.QuerySet(self.model, using=self._db)
        if not current.get("_enabled", True):
            return qs
        if "network" not in current:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes={"network"})
        value = current["network"]
        if value is None:
            return qs
        network_id = value.pk if isinstance(value, Network) else value
        return qs.filter(Q(link__network_id=network_id) | Q(link__partner_id=network_id))


SHARED_ROOM_NAME_MAX = 60
SHARED_MESSAGE_MAX = 4000


class SharedRoom(models.Model):
    """A talk room owned by a link whose scope includes rooms. ``network`` is the side whose
    operator created it; both sides' members join it by their own choice. Archived when the
    link ends or stops sharing rooms: hidden from members, kept for each side's export."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="shared_rooms")
    name = models.CharField(_("name"), max_length=SHARED_ROOM_NAME_MAX)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[SharedRoomManager] = SharedRoomManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["network", "archived_at"]),
            models.Index(fields=["link", "archived_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def shared_room_group(room_id: int) -> str:
    """The channel-layer group of the sockets open on one shared room, on both sides."""
    return f"collab.room.{room_id}"


def shared_room_member_group(room_id: int, membership_id: int) -> str:
    """The channel-layer group of one member's sockets on one shared room: closed when they
    leave it."""
    return f"collab.room.{room_id}.m.{membership_id}"


class SharedRoomMember(models.Model):
    """A member's choice to join a shared room (off by default). ``network`` is the member's.
    Leaving ends the row (``left_at``) and joining again makes a new one, as opting out of the
    directory does: each disclosure of the member's name in the room names the joining it
    relied on, which stays as its proof."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(SharedRoom, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[SharedRoomMember]] = ScopedManager(network="network")

    class Meta:
        indexes = [models.Index(fields=["network", "membership"])]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "membership"],
                condition=Q(left_at__isnull=True),
                name="collab_shared_room_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} in {self.room_id}"


class SharedMessage(models.Model):
    """A message in a shared room. ``network`` is the writer's: each side's operators export
    what their own members wrote, and only that."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(SharedRoom, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=SHARED_MESSAGE_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[SharedMessage]] = ScopedManager(network="network")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["room", "id"]),
            models.Index(fields=["network", "room", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}: {self.pk}"


class CoHostState(models.TextChoices):
    INVITED = "invited", pgettext_lazy("co-hosting", "Invited")
    ACCEPTED = "accepted", pgettext_lazy("co-hosting", "Co-hosting")
    DECLINED = "declined", pgettext_lazy("co-hosting", "Declined")
    ENDED = "ended", pgettext_lazy("co-hosting", "Ended")


class CoHostQuerySet(models.QuerySet["CoHost"]):
    def of_network(self, network_id: int) -> CoHostQuerySet:
        return self.filter(Q(network_id=network_id) | Q(partner_id=network_id))


class CoHostManager(TwoSidedManager["CoHost"]):
    """The same rule as the links': no network scope, no query; either side's rows."""

    queryset_class = CoHostQuerySet


class CoHost(models.Model):
    """Network ``partner`` co-hosts an event of ``network`` (its owner), over an active link that
    shares events. One row per event and partner: inviting again after a decline or an ending
    reuses it. The partner's members apply from their own network; their registrations carry
    that network (``Registration.network``), so the owner's pages never list them by name."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="cohosts")
    state = models.CharField(
        max_length=16, choices=CoHostState.choices, default=CoHostState.INVITED
    )
    # None: the partner's members take the event's places with everyone else; a number: the
    # places kept for them (the owner's capacity counts the others).
    quota = models.PositiveIntegerField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[CoHostManager] = CoHostManager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["network", "event"]),
            models.Index(fields=["partner", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "partner"], name="collab_one_cohost_row")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} co-hosts {self.event_id} ({self.state})"

    @property
    def is_invited(self) -> bool:
        return self.state == CoHostState.INVITED

    @property
    def is_open(self) -> bool:
        return self.state in (CoHostState.INVITED, CoHostState.ACCEPTED)
