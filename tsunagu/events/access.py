"""Who may see and do what with events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from tsunagu.core.feedtokens import member_version
from tsunagu.core.sql import Rule, object_id, placeholders
from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.models import Membership, Network, Role, Status

from . import queries
from .calendar import make_feed_token, read_feed_token
from .models import SEATED, Audience, CalendarFeedKey, Event, Organiser, Registration


def audiences_for_role(role: str) -> list[str]:
    """The audiences whose events a member of ``role`` may see and apply to; operators see
    every event."""
    if role == Role.OPERATOR:
        return list(Audience.values)
    if role == Role.EMPLOYEE:
        return [Audience.ALL, Audience.EMPLOYEES]
    return [Audience.ALL, Audience.ALUMNI]  # alumni and supporters (supporters are alumni)


def audiences_for(member: Membership) -> list[str]:
    """The audiences whose events a member may see and apply to; none for a member who is not
    active (an operator's rights end with their membership)."""
    return audiences_for_role(member.role) if member.is_active else []


def filter_audience_members(
    event: Event, *, audience_before: str | None = None
) -> models.QuerySet[Membership]:
    """The active members who may see ``event``: those whose role its audience admits, and its
    organisers. With ``audience_before``, only those whose role that audience did not admit."""
    from tsunagu.tenancy.access import filter_active_members

    roles = {role for role in Role.values if event.audience in audiences_for_role(role)}
    organisers = Organiser.objects.filter(event=event).values("membership_id")
    members = filter_active_members(event.network)
    if audience_before is None:
        return members.filter(models.Q(role__in=roles) | models.Q(pk__in=organisers))
    roles -= {role for role in Role.values if audience_before in audiences_for_role(role)}
    return members.filter(role__in=roles).exclude(pk__in=organisers)


@dataclass(frozen=True)
class VisibleEvents:
    """Which events of its network a member may see: those whose audience admits their role
    (every audience for an operator, none once they are not active) and those they organise.
    One definition, stated for the ORM (``q()``) and for a statement over the events as ``e``
    (``rule()``, in ``queries``). Without ``member_id``, the audiences alone: the list page
    that the members of those audiences who organise nothing share (listing.events_page())."""

    audiences: tuple[str, ...]
    member_id: int | None

    def q(self) -> models.Q:
        in_audience = models.Q(audience__in=self.audiences)
        if self.member_id is None:
            return in_audience
        organised = Organiser.objects.filter(membership_id=self.member_id).values("event_id")
        return in_audience | models.Q(pk__in=organised)

    def rule(self) -> Rule:
        in_audience = (
            Rule(f"e.audience IN ({placeholders(self.audiences)})", self.audiences)
            if self.audiences
            else Rule("1 = 0", ())
        )
        if self.member_id is None:
            return in_audience
        organisers = Organiser._meta.db_table  # names from the model; values are parameters
        event_id = Organiser._meta.get_field("event").column
        membership_id = Organiser._meta.get_field("membership").column
        organised = (
            f"EXISTS(SELECT 1 FROM {organisers} o"  # noqa: S608
            f" WHERE o.{event_id} = e.id AND o.{membership_id} = %s)"
        )
        if not self.audiences:
            return Rule(organised, (self.member_id,))
        return Rule(f"({in_audience.sql} OR {organised})", (*self.audiences, self.member_id))


def visible_events(member: Membership) -> VisibleEvents:
    return VisibleEvents(tuple(audiences_for(member)), member.pk)


def audience_events(audiences: list[str]) -> VisibleEvents:
    """The events of ``audiences`` alone, whoever reads (a list page shared by their members)."""
    return VisibleEvents(tuple(audiences), None)


def filter_events_for(member: Membership, qs: models.QuerySet[Event]) -> models.QuerySet[Event]:
    return qs.filter(visible_events(member).q(), network_id=member.network_id)


def filter_open_to_applicants(
    qs: models.QuerySet[Event], now: datetime | None = None
) -> models.QuerySet[Event]:
    """The events that would take an application now from a member who has not applied yet
    (actions.do_register's rules): not called off, not started, before their deadline, and with
    a place left, a waiting list, or organisers who approve each application."""
    now = now or timezone.now()
    taken = (
        Registration.objects.filter(event=models.OuterRef("pk"), status__in=SEATED)
        .order_by()
        .values("event")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return (
        qs.filter(
            models.Q(deadline__isnull=True) | models.Q(deadline__gt=now),
            starts_at__gt=now,
            called_off_at__isnull=True,
        )
        .alias(seats_taken=Coalesce(models.Subquery(taken), 0))
        .filter(
            models.Q(capacity__isnull=True)
            | models.Q(waitlist=True)
            | models.Q(needs_approval=True)
            | models.Q(capacity__gt=models.F("seats_taken"))
        )
    )


def access_event(member: Membership, event_id: object) -> Event:
    """404 for a missing event, another network's, and one the member's audience excludes."""
    return access_in_network(member, filter_events_for(member, Event.objects.all()), event_id)


def access_event_for_reader(member: Membership, event_id: object) -> queries.ReaderEvent:
    """access_event() with what the event page needs of the reader and of the registrations,
    in one statement (queries.reader_event()): whether they organise it, the places taken, the
    waiting list, and their own registration.

    The most read page of events starts here; built by the ORM, these subqueries cost several
    times the database's work in CPU. The rules are access_event()'s: this network only, and
    an audience the member belongs to unless they operate the network or organise the event.
    """
    found = queries.reader_event(member, object_id(event_id), visible_events(member).rule())
    if found is None:
        raise Http404
    return found


def is_organiser(member: Membership, event: Event) -> bool:
    return Organiser.objects.filter(event=event, membership=member).exists()


def can_manage_event(member: Membership, event: Event, organiser: bool | None = None) -> bool:
    """Operators, and the event's organisers. ``organiser``: whether the member organises it,
    when the statement that loaded the event already knows (saves a query)."""
    if member.is_operator:
        return True
    if organiser is None:
        organiser = is_organiser(member, event)
    return member.is_active and organiser


def check_manage_event_permission(member: Membership, event: Event) -> None:
    if event.network_id != member.network_id or not can_manage_event(member, event):
        raise PermissionDenied


def can_create_events(member: Membership) -> bool:
    """Operators and supporters; every active member where the network allows it."""
    if member.is_supporter_or_operator:
        return True
    return member.is_active and member.network.members_may_create_events


def check_create_event_permission(member: Membership) -> None:
    if not can_create_events(member):
        raise PermissionDenied


def may_apply(member: Membership, event: Event) -> bool:
    return event.audience in audiences_for(member)


def access_registration(member: Membership, event: Event, registration_id: object) -> Registration:
    return access_in_network(
        member, Registration.objects.filter(event=event).select_related("user"), registration_id
    )


def organiser_candidates(member: Membership) -> models.QuerySet[Membership]:
    """Members who may be named organisers: operators and supporters."""
    from tsunagu.tenancy.access import filter_active_members

    return (
        filter_active_members(member.network)
        .filter(role__in=[Role.OPERATOR, Role.SUPPORTER])
        .select_related("user")
        .order_by("user__name")
    )


def may_give_feedback(member: Membership, event: Event, registration: Registration | None) -> bool:
    """Those who held a place (and were not marked absent) rate an event once it has ended."""
    from .models import RegistrationStatus

    return (
        event.is_past
        and registration is not None
        and registration.user_id == member.user_id
        and registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)
    )


# --- Calendar feeds -------------------------------------------------------------------------------


def calendar_feed_version(member: Membership, found: dict[str, Any] | None = None) -> int:
    return member_version("events", CalendarFeedKey, member, found)


def calendar_feed_token(member: Membership, found: dict[str, Any] | None = None) -> str:
    """The secret part of the member's calendar feed addresses, as they stand now; ``found``:
    what the page read of the cache already (``feedtokens.version_key("events", …)``)."""
    version = calendar_feed_version(member, found)
    return make_feed_token(member.user_id, member.network_id, version)


def access_calendar_feed(network: Network, token: str) -> Membership:
    """The active member a calendar feed address belongs to; 404 for a token that is not valid,
    is another network's, was renewed since, or whose member has gone."""
    found = read_feed_token(token)
    if found is None or found[1] != network.pk:
        raise Http404
    user_id, _network_id, version = found
    member = (
        Membership.objects.filter(
            network=network, user_id=user_id, status=Status.ACTIVE, user__is_active=True
        )
        .select_related("network")
        .first()
    )
    if member is None or version != calendar_feed_version(member):
        raise Http404
    return member


def check_rotate_calendar_feed_permission(member: Membership) -> None:
    """Members renew their own addresses, and only while they are active."""
    if not member.is_active:
        raise PermissionDenied
