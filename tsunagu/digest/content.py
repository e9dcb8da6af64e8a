"""What one member's digest holds: what is new in their network since their last visit or their
last digest, through each app's own rules of who may see what (never restated here)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tsunagu.boards.access import filter_threads
from tsunagu.boards.models import Thread
from tsunagu.careers.access import listed_opportunities
from tsunagu.careers.models import KIND_FLAG, OpenTo
from tsunagu.events.access import filter_events_for, filter_open_to_applicants
from tsunagu.events.models import APPLIED, Event, Registration
from tsunagu.feed.models import Welcome
from tsunagu.news.access import published_articles
from tsunagu.profiles.indexing import members_with_matching_tags
from tsunagu.profiles.models import LifeUpdate, Profile
from tsunagu.surveys.audience import audience_members
from tsunagu.surveys.models import Participation, Survey
from tsunagu.talk.models import PRIVATE_KINDS, RoomMember
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .models import DigestSent, DigestState, Frequency

# Each section shows at most this many items, and says how many more there are.
SHOWN = 5
INTERVALS: dict[str, timedelta] = {
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.MONTHLY: timedelta(days=30),
}
# What a chunk asks of each kind at most: far more than a month of any network's news.
MAX_CANDIDATES = 500
WELCOMERS = (Role.SUPPORTER, Role.OPERATOR)
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


def since_of(
    member: Membership, frequency: str, last_sent: datetime | None, now: datetime
) -> datetime:
    """The later of the member's last visit and their last digest; a member with neither gets
    the last week or month."""
    marks = [now - INTERVALS.get(frequency, INTERVALS[Frequency.MONTHLY])]
    marks += [mark for mark in (member.last_seen_at, last_sent) if mark is not None]
    return max(marks)


def since_for(member: Membership, frequency: str, now: datetime | None = None) -> datetime:
    last = (
        DigestSent.objects.filter(
            network_id=member.network_id, user_id=member.user_id, state=DigestState.SENT
        )
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    return since_of(member, frequency, last, now or timezone.now())


def _role_reader(network_id: int, role: str) -> Membership:
    """An active member of the role who organised, wrote and posted nothing (no row has id 0):
    what the apps' access functions give them is what every member of the role may see."""
    return Membership(pk=0, network_id=network_id, user_id=0, role=role, status=Status.ACTIVE)


class Batch:
    """What is new in one network for a chunk of members, asked once for the chunk through the
    apps' own access functions; each member's digest then narrows it to what is theirs.

    Events, articles, consultations and opportunities depend only on the member's role (the
    apps' filters are asked for a reader of each role who organised nothing: an event a member
    sees only as its organiser is left out, never added); of the events, only those that would
    take the member's application: open to applicants, and not applied for already. Surveys ask
    surveys.audience for each survey; consultations are routed by profiles.indexing as boards
    routes them."""

    def __init__(self, network: Network, members: list[Membership], since: datetime) -> None:
        self.network = network
        self.since = since  # the earliest of the chunk
        self.now = timezone.now()
        self.routing = Routing(network.pk)
        self._by_role: dict[str, dict[str, list[Any]]] = {}
        user_ids = [m.user_id for m in members]
        self._user_ids = user_ids
        self._applied: set[tuple[int, int]] | None = None
        member_ids = [m.pk for m in members]
        self._flags: dict[int, set[str]] = defaultdict(set)
        for membership_id, flag in OpenTo.objects.filter(
            network=network, membership_id__in=member_ids
        ).values_list("membership_id", "flag"):
            self._flags[membership_id].add(flag)
        self._surveys = list(
            Survey.objects.filter(
                network=network,
                published=True,
                opens_at__lte=self.now,
                closes_at__gt=self.now,
                opens_at__gt=since,
            ).order_by("closes_at", "pk")
        )
        for survey in self._surveys:
            self._link(survey, "surveys:answer", survey_id=survey.pk)
        self._asked: dict[int, set[int]] = {}
        self._answered: set[tuple[int, int]] = set()
        if self._surveys:
            for survey in self._surveys:
                self._asked[survey.pk] = set(
                    audience_members(survey)
                    .filter(user_id__in=user_ids)
                    .values_list("pk", flat=True)
                )
            self._answered = set(
                Participation.objects.filter(
                    survey__in=self._surveys, user_id__in=user_ids
                ).values_list("survey_id", "user_id")
            )
        self._updates = list(
            LifeUpdate.objects.filter(
                network=network, created_at__gt=since, membership__status=Status.ACTIVE
            )
            .select_related("membership__user", "membership__profile")
            .order_by("-created_at", "-pk")[:MAX_CANDIDATES]
        )
        for update in self._updates:
            self._link(update, "profiles:detail", membership_id=update.membership_id)
        self._departments: dict[int, str] = {}
        self._by_department: dict[str, list[LifeUpdate]] = {}
        self._mates: dict[int, set[int]] = defaultdict(set)
        if self._updates:
            self._departments = dict(
                Profile.objects.filter(network=network)
                .filter(
                    Q(membership_id__in=member_ids)
                    | Q(membership_id__in={u.membership_id for u in self._updates})
                )
                .exclude(last_department="")
                .values_list("membership_id", "last_department")
            )
            rooms = RoomMember.objects.filter(
                network=network, member_id__in=member_ids, room__kind__in=PRIVATE_KINDS
            ).values("room_id")
            pairs = RoomMember.objects.filter(network=network, room_id__in=rooms).values_list(
                "room_id", "member_id"
            )
            in_room: dict[int, set[int]] = defaultdict(set)
            for room_id, member_id in pairs:
                in_room[room_id].add(member_id)
            for people in in_room.values():
                for member_id in people:
                    self._mates[member_id] |= people
        self._newcomers: list[Membership] = []
        self._welcomed: set[tuple[int, int]] = set()
        if any(m.role in WELCOMERS for m in members):
            self._newcomers = list(
                Membership.objects.filter(
                    network=network, status=Status.ACTIVE, created_at__gt=since
                )
                .select_related("user", "profile")
                .order_by("-created_at", "-pk")[:MAX_CANDIDATES]
            )
            for newcomer in self._newcomers:
                self._link(newcomer, "profiles:detail", membership_id=newcomer.pk)
            if self._newcomers:
                self._welcomed = set(
                    Welcome.objects.filter(
                        network=network,
                        member_id__in=member_ids,
                        newcomer__in=self._newcomers,
                    ).values_list("member_id", "newcomer_id")
                )

    def _updates_of(self, department: str) -> list[LifeUpdate]:
        """The life updates of people of the department, newest first."""
        if department not in self._by_department:
            self._by_department[department] = [
                u for u in self._updates if self._departments.get(u.membership_id) == department
            ]
        return self._by_department[department]

    def _link(self, obj: Any, name: str, **kwargs: int) -> Any:
        """The item's address in the mail, made once for the whole chunk."""
        obj.link = settings.SITE_URL + reverse(
            name, kwargs={"network_slug": self.network.slug, **kwargs}
        )
        return obj

    def applied(self) -> set[tuple[int, int]]:
        """(event, user) for the chunk's members who applied to an upcoming event of the period
        already: asked once for the chunk, and only when there are events to show."""
        if self._applied is None:
            self._applied = set(
                Registration.objects.filter(
                    network=self.network,
                    user_id__in=self._user_ids,
                    status__in=APPLIED,
                    event__created_at__gt=self.since,
                    event__starts_at__gt=self.now,
                ).values_list("event_id", "user_id")
            )
        return self._applied

    def for_role(self, role: str) -> dict[str, list[Any]]:
        if role not in self._by_role:
            reader = _role_reader(self.network.pk, role)
            reader.network = self.network
            since, now = self.since, self.now
            events = filter_open_to_applicants(
                filter_events_for(reader, Event.objects.all()), now
            ).filter(created_at__gt=since)
            news = published_articles(self.network.pk).filter(published_at__gt=since)
            threads = filter_threads(reader).filter(
                kind="consultation", created_at__gt=since, is_answered=False, is_locked=False
            )
            opportunities = listed_opportunities(reader).filter(
                kind__in=list(KIND_FLAG), published_at__gt=since
            )
            found: dict[str, list[Any]] = {
                "events": list(
                    events.only("network_id", "title", "starts_at", "created_at").order_by(
                        "starts_at", "pk"
                    )[:MAX_CANDIDATES]
                ),
                "news": list(
                    news.only("network_id", "title", "author_id", "published_at").order_by(
                        "-published_at", "-pk"
                    )[:MAX_CANDIDATES]
                ),
                "consultations": list(
                    threads.only("network_id", "title", "body", "author_id", "created_at").order_by(
                        "-created_at", "-pk"
                    )[:MAX_CANDIDATES]
                ),
                "opportunities": list(
                    opportunities.only(
                        "network_id", "title", "kind", "poster_id", "deadline", "published_at"
                    ).order_by("-published_at", "-pk")[:MAX_CANDIDATES]
                ),
            }
            routes = {
                "events": ("events:detail", "event_id"),
                "news": ("news:detail", "article_id"),
                "consultations": ("boards:thread", "thread_id"),
                "opportunities": ("careers:detail", "opportunity_id"),
            }
            for key, (name, arg) in routes.items():
                for obj in found[key]:
                    self._link(obj, name, **{arg: obj.pk})
            self._by_role[role] = found
        return self._by_role[role]

    def sections(self, member: Membership, since: datetime) -> list[Section]:
        found = self.for_role(member.role)
        me = member.pk
        events = [e for e in found["events"] if e.created_at > since]
        if events:
            applied = self.applied()
            events = [e for e in events if (e.pk, member.user_id) not in applied]
        news = [a for a in found["news"] if a.published_at > since and a.author_id != me]
        consultations = [
            t
            for t in found["consultations"]
            if t.created_at > since and t.author_id != me and self.routing.reaches(member, t)
        ]
        kinds = {kind for kind, flag in KIND_FLAG.items() if flag in self._flags.get(me, ())}
        opportunities = [
            o
            for o in found["opportunities"]
            if o.published_at > since and o.kind in kinds and o.poster_id != me
        ]
        surveys = [
            s
            for s in self._surveys
            if s.opens_at > since
            and me in self._asked.get(s.pk, ())
            and (s.pk, member.user_id) not in self._answered
        ]
        known = self._mates.get(me, set())
        department = self._departments.get(me)
        # The department's updates, asked once per department; all of them only for a member
        # who shares a conversation with someone.
        candidates = self._updates_of(department) if department else []
        if known:
            candidates = [
                u
                for u in self._updates
                if u.membership_id in known
                or (department and self._departments.get(u.membership_id) == department)
            ]
        updates = [u for u in candidates if u.created_at > since and u.membership_id != me]
        welcomes = []
        if member.role in WELCOMERS:
            welcomes = [
                n
                for n in self._newcomers
                if n.created_at > since and n.pk != me and (me, n.pk) not in self._welcomed
            ]
        pairs = [
            ("events", events),
            ("news", news),
            ("consultations", consultations),
            ("opportunities", opportunities),
            ("surveys", surveys),
            ("updates", updates),
            ("welcomes", welcomes),
        ]
        return [Section(key, items[:SHOWN], len(items)) for key, items in pairs if items]


def build_digest(member: Membership, since: datetime, *, batch: Batch | None = None) -> Digest:
    """The digest of an active member, inside the network's scope; ``batch`` is the chunk's
    (a batch of this member alone when none is given)."""
    batch = batch or Batch(member.network, [member], since)
    return Digest(member, since, batch.sections(member, since))
