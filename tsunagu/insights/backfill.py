"""Deriving a network's past from the rows the other apps already hold (``backfill_activity``).

What the rows tell honestly, and what they cannot:

- contributions: threads, comments, articles, life updates, messages in rooms that are not
  private, stamps, welcomes, event registrations (dated when last applied), attendance (dated
  at the event's start), applications and answers to named surveys (dated when last sent),
  each at its own time; anonymous surveys give nothing (see ``signals.py``). The role at that
  moment is unknown: the role at the time of the backfill is stored, and the row is marked
  ``backfilled``.
  What was deleted (a post, a stamp taken back) left nothing to derive; a post whose author's
  membership is gone is skipped (no role to give it);
- posted days: the days of those posts, and of messages in private conversations (the day
  only, as when recorded live);
- active days: the days of stamps, welcomes, registrations and answers to named surveys;
- visited days: only the last one, from ``Membership.last_seen_at``, one day per member at most.

Running it again adds nothing: a contribution already recorded is skipped, and a day row only
gains the flags the past gives it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import BaseExpression
from django.db.models.functions import TruncDate
from django_scopes import scope

from tsunagu.boards import models as boards
from tsunagu.events.models import Registration, RegistrationStatus
from tsunagu.feed.models import Welcome
from tsunagu.news import models as news
from tsunagu.onboarding.models import Application
from tsunagu.profiles.models import LifeUpdate
from tsunagu.surveys.models import Anonymity, Participation, Response
from tsunagu.talk import models as talk
from tsunagu.tenancy.days import network_day, network_zone
from tsunagu.tenancy.models import Membership, Network, Role

from .models import POST_KINDS, ActivityDay, Contribution, ContributionKind

Kind = ContributionKind
BATCH = 2000
MEMBERS_PER_CHUNK = 2000
# Kinds that are a member's own act on the site: they make the day an active one.
ACT_KINDS = (Kind.STAMP, Kind.WELCOME, Kind.RSVP, Kind.SURVEY_ANSWER)
NOT_PRIVATE_ROOM = ~Q(room__kind__in=talk.PRIVATE_KINDS)


@dataclass(frozen=True)
class Source:
    """Where one kind of contribution is found: its rows, who made them, and when."""

    model: type[Model]
    kind: str
    member: str  # a membership id field, or "user_id" to find the membership by account
    time: str | BaseExpression  # a field, or an expression where the row has no time
    only: Q = field(default_factory=Q)


SOURCES = [
    Source(boards.Thread, Kind.THREAD, "author_id", "created_at"),
    Source(boards.Comment, Kind.COMMENT, "author_id", "created_at"),
    Source(news.Article, Kind.ARTICLE, "author_id", "created_at"),
    Source(news.Comment, Kind.COMMENT, "author_id", "created_at"),
    Source(LifeUpdate, Kind.LIFE_UPDATE, "membership_id", "created_at"),
    Source(talk.Message, Kind.MESSAGE, "sender_id", "created_at", NOT_PRIVATE_ROOM),
    Source(boards.Reaction, Kind.STAMP, "member_id", "created_at"),
    Source(news.Reaction, Kind.STAMP, "member_id", "created_at"),
    Source(
        talk.Reaction,
        Kind.STAMP,
        "member_id",
        "created_at",
        ~Q(message__room__kind__in=talk.PRIVATE_KINDS),
    ),
    Source(Welcome, Kind.WELCOME, "member_id", "created_at"),
    Source(Registration, Kind.RSVP, "user_id", "applied_at"),
    Source(
        Registration,
        Kind.ATTENDANCE,
        "user_id",
        "event__starts_at",
        Q(status=RegistrationStatus.ATTENDED),
    ),
    Source(Application, Kind.APPLICATION, "user_id", "created_at"),
    # A participation has no time of its own; a named survey's response has. (The base
    # manager: the subquery is built at import, outside any network, and is tied to the
    # participation's own survey.)
    Source(
        Participation,
        Kind.SURVEY_ANSWER,
        "user_id",
        Subquery(
            Response._base_manager.filter(
                survey_id=OuterRef("survey_id"), user_id=OuterRef("user_id")
            ).values("submitted_at")[:1]
        ),
        Q(survey__anonymity=Anonymity.NAMED),
    ),
]


@dataclass
class Result:
    contributions: int = 0
    days: int = 0
    skipped: int = 0  # rows whose membership no longer exists (or, rarely, without a time)


def backfill_network(network: Network) -> Result:
    """Adds what the network's rows tell of its past; safe to run again, and beside live use."""
    result = Result()
    with scope(network=network):
        before = (Contribution.objects.count(), ActivityDay.objects.count())
        roles = dict(Membership.objects.values_list("pk", "role"))
        by_user = {user: (pk, role) for pk, user, role in _memberships()}
        for source in SOURCES:
            rows = _contributions(network, source, roles, by_user, result)
            for batch in _batches(rows):
                Contribution.objects.bulk_create(batch, ignore_conflicts=True)
        ids = sorted(roles)
        for start in range(0, len(ids), MEMBERS_PER_CHUNK):
            chunk = ids[start : start + MEMBERS_PER_CHUNK]
            _days(network, chunk[0], chunk[-1], roles)
        result.contributions = Contribution.objects.count() - before[0]
        result.days = ActivityDay.objects.count() - before[1]
    return result


def _memberships() -> QuerySet[Any, tuple[int, int, str]]:
    return Membership.objects.values_list("pk", "user_id", "role")


def _contributions(
    network: Network,
    source: Source,
    roles: dict[int, str],
    by_user: dict[int, tuple[int, str]],
    result: Result,
) -> Iterator[Contribution]:
    """The source's rows not recorded yet, as contributions with today's role."""
    label = source.model._meta.label_lower
    recorded = Contribution.objects.filter(source=label, kind=source.kind, object_id=OuterRef("pk"))
    rows = (
        source.model.objects.filter(source.only)  # type: ignore[attr-defined]
        .filter(~Exists(recorded))
        .order_by()
        .values_list("pk", source.member, source.time)
    )
    for pk, who, at in rows.iterator(chunk_size=BATCH):
        if at is None:  # a participation whose response is gone: no time to give it
            result.skipped += 1
            continue
        if source.member == "user_id":
            # An applicant whose pending membership was removed on rejection stays counted.
            member_id, role = by_user.get(who, (None, Role.ALUMNI))
            if member_id is None and source.kind != Kind.APPLICATION:
                result.skipped += 1
                continue
        elif who in roles:
            member_id, role = who, roles[who]
        else:
            result.skipped += 1
            continue
        yield Contribution(
            network=network,
            member_id=member_id,
            kind=source.kind,
            source=label,
            object_id=pk,
            role=role,
            created_at=at,
            day=network_day(at),
            backfilled=True,
        )


def _batches(rows: Iterable[Contribution]) -> Iterator[list[Contribution]]:
    batch: list[Contribution] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _days(network: Network, first: int, last: int, roles: dict[int, str]) -> None:
    """The day rows of the members whose ids run from ``first`` to ``last``."""
    members = Q(member_id__gte=first, member_id__lte=last)
    wanted: dict[tuple[int, Any], list[bool]] = {}  # (member, day) -> [visited, posted]

    def mark(pairs: Iterable[tuple[int, Any]], visited: bool, posted: bool) -> None:
        for member_id, day in pairs:
            flags = wanted.setdefault((member_id, day), [False, False])
            flags[0] |= visited
            flags[1] |= posted

    contributions = Contribution.objects.filter(members).order_by()
    days_of = ("member_id", "day")
    posts = contributions.filter(kind__in=POST_KINDS).values_list(*days_of).distinct()
    mark(posts, visited=False, posted=True)
    acts = contributions.filter(kind__in=ACT_KINDS).values_list(*days_of).distinct()
    mark(acts, visited=False, posted=False)
    private = (
        talk.Message.objects.filter(
            room__kind__in=talk.PRIVATE_KINDS, sender_id__gte=first, sender_id__lte=last
        )
        .annotate(day=TruncDate("created_at", tzinfo=network_zone()))
        .order_by()
        .values_list("sender_id", "day")
        .distinct()
    )
    mark(private, visited=False, posted=True)
    seen = Membership.objects.filter(pk__gte=first, pk__lte=last, last_seen_at__isnull=False)
    last_days = ((pk, network_day(at)) for pk, at in seen.values_list("pk", "last_seen_at") if at)
    mark(last_days, visited=True, posted=False)

    existing = {
        (member_id, day): (pk, visited, posted)
        for pk, member_id, day, visited, posted in ActivityDay.objects.filter(members)
        .order_by()
        .values_list("pk", "member_id", "day", "visited", "posted")
    }
    new, visit, post = [], [], []
    for (member_id, day), (visited, posted) in wanted.items():
        row = existing.get((member_id, day))
        if row is None:
            new.append(
                ActivityDay(
                    network=network,
                    member_id=member_id,
                    day=day,
                    role=roles[member_id],
                    visited=visited,
                    posted=posted,
                    backfilled=True,
                )
            )
            continue
        if visited and not row[1]:
            visit.append(row[0])
        if posted and not row[2]:
            post.append(row[0])
    ActivityDay.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    for flag, pks in (("visited", visit), ("posted", post)):
        for start in range(0, len(pks), BATCH):
            ActivityDay.objects.filter(pk__in=pks[start : start + BATCH]).update(**{flag: True})
