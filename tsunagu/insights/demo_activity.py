"""A year of plausible activity for the demo networks, so the first dashboard shows trends.

Members join over the year (a few in the last days, not welcomed yet); each has a habit (the
office and supporters come often, most alumni now and then, a few never post), a little less
lively in the last months. The office writes most of the posts: the demo shows the first
failure pattern of seed 001 and its warning. The demo's own posts, stamps and registrations
are then recorded by the backfill, and every member gets a plausible last visit.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django_scopes import scope

from tsunagu.tenancy.days import network_day, network_zone
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .backfill import backfill_network
from .figures import store_closed_months
from .models import ActivityDay, Contribution, ContributionKind

K = ContributionKind
DAYS = 365
BATCH = 2000
# How often a member of each role comes, and how often they post when they come.
VISITS: dict[str, float] = {
    Role.OPERATOR: 0.8,
    Role.SUPPORTER: 0.3,
    Role.EMPLOYEE: 0.08,
    Role.ALUMNI: 0.08,
}
POSTS: dict[str, float] = {
    Role.OPERATOR: 0.8,
    Role.SUPPORTER: 0.15,
    Role.EMPLOYEE: 0.05,
    Role.ALUMNI: 0.04,
}
OFFICE_KINDS = [K.ARTICLE, K.ARTICLE, K.THREAD, K.MESSAGE]
MEMBER_KINDS = [K.COMMENT, K.COMMENT, K.MESSAGE, K.THREAD, K.LIFE_UPDATE]
SOURCE = "demo.activity"


def seed_insights(network: Network, rng: random.Random) -> None:
    today = network_day(timezone.now())
    zone = network_zone()
    with scope(network=network):
        members = list(
            Membership.objects.filter(network=network, status=Status.ACTIVE).order_by("pk")
        )
        _spread_joins(members, rng, today)
        days: list[ActivityDay] = []
        contributions: list[Contribution] = []
        last_seen: dict[int, date] = {}
        seq = 0
        for member in members:
            office = member.role == Role.OPERATOR
            habit = VISITS[member.role] * (1.0 if office else rng.choice([0.3, 0.6, 1.0, 1.6]))
            writes = POSTS[member.role] * (1.0 if office else rng.choice([0.0, 0.5, 1.0, 1.5]))
            joined = network_day(member.created_at)
            day = max(joined, today - timedelta(days=DAYS))
            while day < today:
                # Livelier in the first months, quieter lately: a trend worth a look.
                age = (today - day).days
                mood = 1.0 if age > 120 else 0.75
                # Everyone came on the day they joined.
                if day == joined or rng.random() < habit * mood:
                    posted = rng.random() < writes
                    days.append(
                        ActivityDay(
                            network=network,
                            member=member,
                            day=day,
                            role=member.role,
                            visited=True,
                            posted=posted,
                            backfilled=True,
                        )
                    )
                    last_seen[member.pk] = day
                    at = datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), zone)
                    if posted:
                        for _ in range(rng.randint(1, 3) if office else 1):
                            seq += 1
                            kind = rng.choice(OFFICE_KINDS if office else MEMBER_KINDS)
                            contributions.append(_row(network, member, kind, seq, at, day))
                    if rng.random() < 0.4:
                        seq += 1
                        contributions.append(_row(network, member, K.STAMP, seq, at, day))
                day += timedelta(days=1)
        ActivityDay.objects.bulk_create(days, batch_size=BATCH, ignore_conflicts=True)
        Contribution.objects.bulk_create(contributions, batch_size=BATCH, ignore_conflicts=True)
        for member in members:
            seen = last_seen.get(member.pk)
            if seen is not None:
                hour = rng.randint(7, 22)
                member.last_seen_at = datetime.combine(seen, time(hour, rng.randint(0, 59)), zone)
        Membership.objects.bulk_update(members, ["created_at", "last_seen_at"], batch_size=BATCH)
    backfill_network(network)
    # What the nightly task would have stored: the totals of the closed months.
    store_closed_months(network.pk, today, everything=True)


def _row(
    network: Network, member: Membership, kind: str, seq: int, at: datetime, day: date
) -> Contribution:
    return Contribution(
        network=network,
        member=member,
        kind=kind,
        source=SOURCE,
        object_id=seq,
        role=member.role,
        created_at=at,
        day=day,
        backfilled=True,
    )


def _spread_joins(members: list[Membership], rng: random.Random, today: date) -> None:
    """Operators and supporters were there from the start; alumni came over the year, and a
    few in the last days."""
    zone = network_zone()
    start = today - timedelta(days=DAYS + 30)
    for index, member in enumerate(members):
        if member.role in (Role.OPERATOR, Role.SUPPORTER):
            joined = start + timedelta(days=rng.randint(0, 20))
        elif index % 15 == 14 or index >= len(members) - 2:  # a small demo has newcomers too
            joined = today - timedelta(days=rng.randint(3, 9))
        else:
            joined = start + timedelta(days=int(rng.triangular(0, DAYS, 40)))
        member.created_at = datetime.combine(joined, time(rng.randint(9, 20)), zone)
