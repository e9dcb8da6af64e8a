"""What one member's digest holds: what is new in their network since their last visit or their
last digest, through each app's own rules of who may see what (never restated here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tsunagu.boards.access import filter_threads
from tsunagu.boards.models import Thread
from tsunagu.careers.access import listed_opportunities
from tsunagu.careers.models import KIND_FLAG, OpenTo
from tsunagu.events.access import filter_events_for
from tsunagu.events.models import Event
from tsunagu.feed.models import Welcome
from tsunagu.news.access import published_articles
from tsunagu.profiles.indexing import members_with_matching_tags
from tsunagu.profiles.models import LifeUpdate, Profile
from tsunagu.surveys.access import audience_q, filter_surveys_for
from tsunagu.surveys.models import Survey
from tsunagu.talk.models import PRIVATE_KINDS, RoomMember
from tsunagu.tenancy.models import Membership, Role, Status

from .models import DigestSent, DigestState, Frequency

# Each section shows at most this many items, and says how many more there are.
SHOWN = 5
INTERVALS: dict[str, timedelta] = {
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.MONTHLY: timedelta(days=30),
}
# The consultation routing of boards asks only this many people per consultation; the digest
# asks the same function, so it brings a consultation to the same people.
ROUTED = 50


@dataclass
class Section:
    key: str
    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass
class Digest:
    member: Membership
    since: datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def is_empty(self) -> bool:
        return self.item_count == 0

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


@dataclass
class Routing:
    """Who each new consultation is routed to, asked once per consultation for a whole chunk of
    members (profiles.indexing.members_with_matching_tags, as boards does when it is posted)."""

    network_id: int
    _matched: dict[int, set[int]] = field(default_factory=dict)

    def reaches(self, member: Membership, thread: Thread) -> bool:
        if member.is_supporter_or_operator:
            return True  # boards tells supporters and operators of every consultation
        if thread.pk not in self._matched:
            self._matched[thread.pk] = members_with_matching_tags(
                self.network_id, f"{thread.title}\n{thread.body}", limit=ROUTED
            )
        return member.user_id in self._matched[thread.pk]


def since_for(member: Membership, frequency: str, now: datetime | None = None) -> datetime:
    """The later of the member's last visit and their last digest; a member with neither gets
    the last week or month."""
    now = now or timezone.now()
    marks = [now - INTERVALS.get(frequency, INTERVALS[Frequency.MONTHLY])]
    if member.last_seen_at is not None:
        marks.append(member.last_seen_at)
    last = (
        DigestSent.objects.filter(
            network_id=member.network_id, user_id=member.user_id, state=DigestState.SENT
        )
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if last is not None:
        marks.append(last)
    return max(marks)


def _section(key: str, qs: Any) -> Section | None:
    items = list(qs[: SHOWN + 1])
    if not items:
        return None
    total = len(items) if len(items) <= SHOWN else qs.count()
    return Section(key, items[:SHOWN], total)


def _events(member: Membership, since: datetime, now: datetime) -> Section | None:
    qs = filter_events_for(member, Event.objects.all()).filter(
        Q(deadline__isnull=True) | Q(deadline__gt=now),
        created_at__gt=since,
        starts_at__gt=now,
        called_off_at__isnull=True,
    )
    return _section("events", qs.order_by("starts_at", "pk"))


def _news(member: Membership, since: datetime) -> Section | None:
    qs = published_articles(member.network_id).filter(published_at__gt=since)
    qs = qs.exclude(author_id=member.pk).order_by("-published_at", "-pk")
    return _section("news", qs.only("network_id", "title", "kind", "published_at"))


def _consultations(member: Membership, since: datetime, routing: Routing) -> Section | None:
    threads = (
        filter_threads(member)
        .filter(kind="consultation", created_at__gt=since, is_answered=False, is_locked=False)
        .exclude(author_id=member.pk)
        .only("network_id", "title", "body", "created_at")
        .order_by("-created_at", "-pk")
    )
    routed = [t for t in threads[:200] if routing.reaches(member, t)]
    if not routed:
        return None
    return Section("consultations", routed[:SHOWN], len(routed))


def _opportunities(member: Membership, since: datetime) -> Section | None:
    flags = set(OpenTo.objects.filter(membership=member).values_list("flag", flat=True))
    kinds = [kind for kind, flag in KIND_FLAG.items() if flag in flags]
    if not kinds:
        return None
    qs = listed_opportunities(member).filter(kind__in=kinds, published_at__gt=since)
    qs = qs.exclude(poster_id=member.pk).only("network_id", "title", "kind", "deadline")
    return _section("opportunities", qs.order_by("-published_at", "-pk"))


def _surveys(member: Membership, since: datetime, now: datetime) -> Section | None:
    open_now = Survey.objects.filter(opens_at__lte=now, closes_at__gt=now, opens_at__gt=since)
    # filter_surveys_for sets up the member's leaving year and department for audience_q: the
    # surveys that ask the member, not the ones they may manage.
    qs = filter_surveys_for(member, open_now).filter(audience_q(member))
    qs = qs.exclude(participations__user_id=member.user_id)
    return _section("surveys", qs.only("network_id", "title", "closes_at").order_by("closes_at"))


def known_members(member: Membership) -> Q:
    """The people a member knows: those they share a group chat or a direct conversation with,
    and those who last worked in the same department."""
    rooms = RoomMember.objects.filter(member=member, room__kind__in=PRIVATE_KINDS).values("room_id")
    mates = RoomMember.objects.filter(room_id__in=rooms).values("member_id")
    known = Q(membership_id__in=mates)
    department = (
        Profile.objects.filter(membership=member).values_list("last_department", flat=True).first()
    )
    if department:
        known |= Q(membership__profile__last_department=department)
    return known


def _updates(member: Membership, since: datetime) -> Section | None:
    qs = (
        LifeUpdate.objects.filter(
            known_members(member),
            network_id=member.network_id,
            created_at__gt=since,
            membership__status=Status.ACTIVE,
        )
        .exclude(membership_id=member.pk)
        .select_related("membership__user", "membership__profile")
        .order_by("-created_at", "-pk")
    )
    return _section("updates", qs)


def _welcomes(member: Membership, since: datetime) -> Section | None:
    if member.role not in (Role.SUPPORTER, Role.OPERATOR):
        return None
    welcomed = Welcome.objects.filter(member=member).values("newcomer_id")
    qs = (
        Membership.objects.filter(
            network_id=member.network_id, status=Status.ACTIVE, created_at__gt=since
        )
        .exclude(pk=member.pk)
        .exclude(pk__in=welcomed)
        .select_related("user", "profile")
        .order_by("-created_at", "-pk")
    )
    return _section("welcomes", qs)


def build_digest(
    member: Membership,
    since: datetime,
    *,
    routing: Routing | None = None,
    now: datetime | None = None,
) -> Digest:
    """The digest of an active member, inside the network's scope."""
    now = now or timezone.now()
    routing = routing or Routing(member.network_id)
    found = [
        _events(member, since, now),
        _news(member, since),
        _consultations(member, since, routing),
        _opportunities(member, since),
        _surveys(member, since, now),
        _updates(member, since),
        _welcomes(member, since),
    ]
    return Digest(member, since, [s for s in found if s is not None])
