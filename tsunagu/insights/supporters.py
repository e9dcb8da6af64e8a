"""The supporter programme: the welcome queue, the ranking and the yearly awards.

Who may do what (check_* raise, can_* answer) and the reads and writes of these pages. The
ranking is computed from the contribution record (``Contribution``) and the events' organisers
by grouped queries: four statements whatever the size of the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.audit.models import AuditAction, record
from tsunagu.events.models import Organiser
from tsunagu.feed.models import Welcome
from tsunagu.tenancy.access import access_in_network, check_operator_permission
from tsunagu.tenancy.days import network_day, network_zone
from tsunagu.tenancy.models import Membership, Role, Status

from .models import POST_KINDS, Contribution, ContributionKind
from .programme_models import Award, AwardKind, ProgrammeSettings

QUEUE_DAYS = 14
QUEUE_SHOWN = 100
RANKING_SHOWN = 50
FIRST_YEAR = 2000

# --- Who may ------------------------------------------------------------------------------


def check_supporter_permission(member: Membership) -> None:
    """The welcome queue: supporters and operators."""
    if not member.is_supporter_or_operator:
        raise PermissionDenied


def can_see_ranking(member: Membership, settings: ProgrammeSettings) -> bool:
    if member.is_operator:
        return True
    return member.is_active and member.role == Role.SUPPORTER and settings.supporters_see_ranking


def check_ranking_permission(member: Membership, settings: ProgrammeSettings) -> None:
    if not can_see_ranking(member, settings):
        raise PermissionDenied


def access_award(member: Membership, award_id: object) -> Award:
    check_operator_permission(member)
    return access_in_network(member, Award.objects.select_related("member__user"), award_id)


# --- The welcome queue ----------------------------------------------------------------------


def welcome_queue(member: Membership) -> QuerySet[Membership]:
    """Members who joined in the last two weeks and whom nobody has welcomed yet, oldest first
    (the longest wait first). The member looking is left out: nobody welcomes themselves."""
    since = timezone.now() - timedelta(days=QUEUE_DAYS)
    greeted = Welcome.objects.filter(newcomer=OuterRef("pk"))
    return (
        Membership.objects.filter(
            network_id=member.network_id, status=Status.ACTIVE, created_at__gte=since
        )
        .exclude(pk=member.pk)
        .filter(~Exists(greeted))
        .select_related("user")
        .only("network_id", "role", "created_at", "user__name")
        .order_by("created_at", "id")
    )


# --- Periods --------------------------------------------------------------------------------


class PeriodKind:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CHOICES = (
        (MONTH, gettext_lazy("Month")),
        (QUARTER, gettext_lazy("Quarter")),
        (YEAR, gettext_lazy("Year")),
    )


@dataclass(frozen=True)
class Period:
    """Network days from ``start`` up to, not including, ``end``."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("%(year)s") % {"year": self.start.year}
        if self.kind == PeriodKind.QUARTER:
            quarter = (self.start.month - 1) // 3 + 1
            return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": self.start.year}
        return _("%(month)s/%(year)s") % {"month": self.start.month, "year": self.start.year}

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as moments: midnight of its first day to midnight after its last."""
        zone = network_zone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )


def period_containing(kind: str, day: date) -> Period:
    if kind == PeriodKind.YEAR:
        return Period(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1))
    first_month = (day.month - 1) // 3 * 3 + 1 if kind == PeriodKind.QUARTER else day.month
    months = 3 if kind == PeriodKind.QUARTER else 1
    start = date(day.year, first_month, 1)
    after = first_month + months
    end = date(day.year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
    return Period(kind, start, end)


def today() -> date:
    return network_day(timezone.now())


# --- The ranking ----------------------------------------------------------------------------


RANKED_KINDS = [*POST_KINDS, ContributionKind.STAMP, ContributionKind.WELCOME]


@dataclass
class Standing:
    member: Membership
    posts: int = 0
    stamps: int = 0
    welcomes: int = 0
    events: int = 0
    score: int = 0
    rank: int = 0


def ranking(
    network_id: int, period: Period, settings: ProgrammeSettings, *, limit: int = RANKING_SHOWN
) -> list[Standing]:
    """The period's active members by weighted contributions, best first (ties: more posts,
    then the earlier member). Members with nothing in the period are not listed.

    Posts, stamps and welcomes are counted from the contribution record (an erased member's
    rows have no member and are not ranked); events hosted are the events the member organised
    that started in the period, have taken place and were not called off.
    """
    counts = (
        Contribution.objects.filter(
            network_id=network_id,
            day__gte=period.start,
            day__lt=period.end,
            member__isnull=False,
            kind__in=RANKED_KINDS,
        )
        .values("member_id")
        .annotate(
            posts=Count("id", filter=Q(kind__in=POST_KINDS)),
            stamps=Count("id", filter=Q(kind=ContributionKind.STAMP)),
            welcomes=Count("id", filter=Q(kind=ContributionKind.WELCOME)),
        )
        .order_by()
    )
    start, end = period.bounds()
    hosted = (
        Organiser.objects.filter(
            network_id=network_id,
            event__starts_at__gte=start,
            event__starts_at__lt=min(end, timezone.now()),
            event__called_off_at__isnull=True,
        )
        .values("membership_id")
        .annotate(events=Count("event_id", distinct=True))
        .order_by()
    )
    totals: dict[int, dict[str, int]] = {}
    for row in counts:
        totals[row["member_id"]] = {
            "posts": row["posts"],
            "stamps": row["stamps"],
            "welcomes": row["welcomes"],
        }
    for row in hosted:
        totals.setdefault(row["membership_id"], {})["events"] = row["events"]
    members = Membership.objects.filter(
        network_id=network_id, status=Status.ACTIVE, pk__in=list(totals)
    ).select_related("user")
    standings = []
    for member in members.only("network_id", "role", "status", "created_at", "user__name"):
        found = totals[member.pk]
        standing = Standing(member=member, **found)
        standing.score = (
            standing.posts * settings.weight_posts
            + standing.stamps * settings.weight_stamps
            + standing.welcomes * settings.weight_welcomes
            + standing.events * settings.weight_events
        )
        if standing.score > 0:
            standings.append(standing)
    standings.sort(key=lambda s: (-s.score, -s.posts, s.member.pk))
    rank = 0
    previous = None
    for place, standing in enumerate(standings, start=1):
        if standing.score != previous:
            rank, previous = place, standing.score
        standing.rank = rank
    return standings[:limit] if limit else standings


def joined_in(member: Membership, year: int) -> bool:
    return network_day(member.created_at).year == year


# --- Awards ---------------------------------------------------------------------------------


def awards_of_year(network_id: int, year: int) -> dict[str, Award]:
    found = Award.objects.filter(network_id=network_id, year=year).select_related("member__user")
    return {award.kind: award for award in found}


def check_award_year(year: int) -> None:
    if not FIRST_YEAR <= year <= today().year:
        raise ValidationError(
            _("Choose a year between %(first)s and this year.") % {"first": FIRST_YEAR}
        )


@transaction.atomic
def do_give_award(
    actor: Membership, *, year: int, kind: str, member_id: int, reason: str = ""
) -> Award:
    """Gives the year's award of this kind to a member of the year's ranking (the newcomer
    award: to one who joined that year). One award of each kind a year: another must first be
    withdrawn."""
    check_operator_permission(actor)
    if kind not in AwardKind.values:
        raise ValidationError(_("Choose an award."))
    check_award_year(year)
    settings = ProgrammeSettings.for_network(actor.network_id)
    period = period_containing(PeriodKind.YEAR, date(year, 1, 1))
    standings = {s.member.pk: s for s in ranking(actor.network_id, period, settings, limit=0)}
    standing = standings.get(member_id)
    if standing is None:
        raise ValidationError(_("Choose a member from the year's ranking."))
    if kind == AwardKind.NEWCOMER and not joined_in(standing.member, year):
        raise ValidationError(_("The newcomer award goes to a member who joined that year."))
    if Award.objects.filter(network_id=actor.network_id, year=year, kind=kind).exists():
        raise ValidationError(_("This award has already been given for that year."))
    try:
        with transaction.atomic():
            award = Award.objects.create(
                network_id=actor.network_id,
                year=year,
                kind=kind,
                member=standing.member,
                reason=reason.strip()[:200],
                chosen_by=actor,
            )
    except IntegrityError:  # another operator gave it at the same moment
        raise ValidationError(_("This award has already been given for that year.")) from None
    record(
        actor,
        AuditAction.GIVE_AWARD,
        target=standing.member,
        label=str(AwardKind(kind).label),
        count=year,
    )
    return award


@transaction.atomic
def do_withdraw_award(actor: Membership, award: Award) -> None:
    check_operator_permission(actor)
    record(
        actor,
        AuditAction.WITHDRAW_AWARD,
        target=award.member,
        label=str(AwardKind(award.kind).label),
        count=award.year,
    )
    award.delete()


def awards_of_member(member_id: int) -> list[Award]:
    return list(Award.objects.filter(member_id=member_id).order_by("-year", "kind"))


@transaction.atomic
def do_save_settings(actor: Membership, settings: ProgrammeSettings) -> ProgrammeSettings:
    check_operator_permission(actor)
    settings.network_id = actor.network_id
    settings.save()
    return settings
