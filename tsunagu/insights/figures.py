"""The operators' figures of one network over a period of months, computed by the database.

Every figure is one grouped query (``values().annotate()``) over the activity record
(``ActivityDay``, ``Contribution``) or the rows it describes (memberships, invitations,
profiles); Python only adds up the few rows those queries return. The result is kept in the
cache per network, period and day (``figures_for``), so the dashboard reads one entry; the
nightly task (``tasks.refresh_figures``) computes the usual periods before anyone asks.

A figure of a period without data is ``None`` (shown as "—"), never a division by zero.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateField, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_scopes import scope

from tsunagu.core import caching
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.days import network_day, network_zone
from tsunagu.tenancy.models import Membership, Role, Status

from . import member_counts
from .models import POST_KINDS, ActivityDay, Contribution, ContributionKind, RecordingStart
from .rollups import MonthTotals

Kind = ContributionKind

# A day's figures are kept a little longer than the day, so the nightly refresh replaces them.
CACHE_SECONDS = 26 * 60 * 60
ACTIVE_DAYS = 30  # "active" in the invitation funnel, as on the console
RETENTION_AFTER = (1, 3, 6, 12)  # months after joining
CONFIRMED_WITHIN = timedelta(days=365)
MAX_MONTHS = 36
STORED_MONTHS = 36  # closed months the nightly task keeps totals of
COUNTS = (
    "active",
    "weekly",
    "posters",
    "member_days",
    "posts",
    "office_posts",
    "stamps",
    "comments",
    "topics",
    "attendance",
    "repeaters",
    "joiners",
)
TOPIC_KINDS = (Kind.THREAD, Kind.ARTICLE)
COMPLETE = frozenset(COUNTS)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=network_zone())


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` (first days of months), read up to ``today``."""

    first: date
    last: date

    @classmethod
    def last_months(cls, n: int, today: date) -> Period:
        this_month = month_start(today)
        return cls(add_months(this_month, -(n - 1)), this_month)

    def months(self) -> list[date]:
        return [add_months(self.first, i) for i in range(months_between(self.first, self.last))]

    def end(self, today: date) -> date:
        """The last day the period covers: the end of its last month, or today."""
        return min(month_end(self.last), today)

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"


@dataclass
class MonthRow:
    month: date
    days: int  # days of the month within the period (up to today)
    active: int = 0  # members active at least once (MAU)
    weekly: int = 0  # members active in the month's last 7 days (WAU at its end, or today)
    posters: int = 0  # of whom posted at least once
    member_days: int = 0  # active members summed over the days (DAU × days)
    posts: int = 0
    office_posts: int = 0
    stamps: int = 0
    comments: int = 0
    topics: int = 0  # threads and articles: what comments answer
    attendance: int = 0
    repeaters: int = 0  # attendances of people who had come to an earlier event
    joiners: int = 0
    # Members active this month who joined 1, 3, 6 or 12 months before (cohorts).
    retained: dict[int, int] = field(default_factory=dict)

    @property
    def dau(self) -> float | None:
        return round(self.member_days / self.days, 1) if self.days else None

    @property
    def readers(self) -> int:
        return self.active - self.posters

    @property
    def office_share(self) -> float | None:
        return _percent(self.office_posts, self.posts)

    @property
    def stamps_per_post(self) -> float | None:
        return _ratio(self.stamps, self.posts)

    @property
    def replies_per_topic(self) -> float | None:
        return _ratio(self.comments, self.topics)

    @property
    def repeat_rate(self) -> float | None:
        return _percent(self.repeaters, self.attendance)


@dataclass
class CohortRow:
    month: date
    joiners: int
    # Months after joining -> members active in that month; None while that month is not over.
    retained: dict[int, int | None] = field(default_factory=dict)

    def share(self, after: int) -> float | None:
        value = self.retained.get(after)
        return None if value is None else _percent(value, self.joiners)


@dataclass
class Figures:
    period: Period
    as_of: date  # the last day counted
    computed_at: datetime
    members: dict[tuple[str, str], int]  # (role, status) -> members
    invited: int
    joined: int
    joined_active: int
    dau: int
    wau: int
    mau: int
    mau_posters: int  # of the members active in the last 30 days, those who posted
    months: list[MonthRow]
    cohorts: list[CohortRow]
    profiles: int
    profiles_confirmed: int
    # The day the network's activity began to be recorded as it happens, when it is older
    # than the recording (``models.RecordingStart``).
    recording_since: date | None = None

    @property
    def before_recording(self) -> bool:
        """Whether the period reaches back before the recording: its first figures lack what
        only the recording knows."""
        return self.recording_since is not None and self.period.first < self.recording_since

    @property
    def empty(self) -> bool:
        return not any(row.active or row.posts or row.attendance for row in self.months)

    @property
    def mau_readers(self) -> int:
        return self.mau - self.mau_posters

    @property
    def posts(self) -> int:
        return sum(row.posts for row in self.months)

    @property
    def office_posts(self) -> int:
        return sum(row.office_posts for row in self.months)

    @property
    def office_share(self) -> float | None:
        return _percent(self.office_posts, self.posts)

    @property
    def stamps_per_post(self) -> float | None:
        return _ratio(sum(r.stamps for r in self.months), self.posts)

    @property
    def replies_per_topic(self) -> float | None:
        return _ratio(sum(r.comments for r in self.months), sum(r.topics for r in self.months))

    @property
    def attendance(self) -> int:
        return sum(row.attendance for row in self.months)

    @property
    def repeat_rate(self) -> float | None:
        return _percent(sum(r.repeaters for r in self.months), self.attendance)

    @property
    def joined_share(self) -> float | None:
        return _percent(self.joined, self.invited)

    @property
    def active_share(self) -> float | None:
        return _percent(self.joined_active, self.invited)

    @property
    def poster_share(self) -> float | None:
        return _percent(self.mau_posters, self.mau)

    @property
    def confirmed_share(self) -> float | None:
        return _percent(self.profiles_confirmed, self.profiles)

    def members_total(self, status: str = Status.ACTIVE) -> int:
        return sum(n for (_role, s), n in self.members.items() if s == status)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 2) if whole else None


def cache_key(network_id: int, period: Period, today: date) -> str:
    return caching.key("insights", "figures", network_id, period.key, f"{today:%Y%m%d}")


def figures_for(network_id: int, period: Period, *, fresh: bool = False) -> Figures:
    """The period's figures as of today, from the cache or computed (and then cached)."""
    today = network_day(timezone.now())
    return caching.cached(
        cache_key(network_id, period, today),
        lambda: compute(network_id, period, today),
        CACHE_SECONDS,
        fresh=fresh,
    )


def compute(network_id: int, period: Period, today: date) -> Figures:
    """Every figure of the period: closed months from their stored totals, the running month
    and the last 30 days from the activity record (about ten grouped queries when cold)."""
    as_of = period.end(today)
    this_month = month_start(today)
    cohort_months = [m for m in period.months() if m < this_month]
    later = {
        add_months(m, k)
        for m in cohort_months
        for k in RETENTION_AFTER
        if add_months(m, k) < this_month
    }
    with scope(network=network_id):
        members = members_by_role(network_id)
        rows = month_rows(network_id, sorted(set(period.months()) | later), today, as_of)
        funnel = _funnel(network_id, period, as_of)
        window = _window(network_id, as_of)
        confirmed = confirmed_profiles(network_id, _start_of(as_of) - CONFIRMED_WITHIN)
        since = RecordingStart.objects.filter(network_id=network_id).values_list("day")
        recording_since = since.first()
    # The period's last month ends on the last day counted: its weekly figure is the WAU
    # (whose 7 days may reach into the month before).
    last_month = rows.get(month_start(as_of))
    if last_month is not None:
        last_month.weekly = window["wau"]
    cohorts = []
    for month in cohort_months:
        cohort = CohortRow(month, rows[month].joiners)
        for after in RETENTION_AFTER:
            then = add_months(month, after)
            closed = then < this_month
            cohort.retained[after] = rows[then].retained.get(after, 0) if closed else None
        cohorts.append(cohort)
    return Figures(
        period=period,
        as_of=as_of,
        computed_at=timezone.now(),
        members=members,
        invited=funnel["invited"],
        joined=funnel["joined"],
        joined_active=funnel["active"],
        dau=window["dau"],
        wau=window["wau"],
        mau=window["mau"],
        mau_posters=window["mau_posters"],
        months=[rows[m] for m in period.months()],
        cohorts=cohorts,
        # Every membership has its profile (made with it): the active members are the total.
        profiles=sum(n for (_role, status), n in members.items() if status == Status.ACTIVE),
        profiles_confirmed=confirmed,
        recording_since=recording_since[0] if recording_since else None,
    )


def members_by_role(network_id: int) -> dict[tuple[str, str], int]:
    """Members by (role, status), as stored and kept current (``member_counts``)."""
    return member_counts.counts(network_id)


def confirmed_profiles(network_id: int, since: datetime) -> int:
    """Active members whose current employer was confirmed since ``since``; kept for the day,
    as the dashboard and its warnings both ask."""

    def count() -> int:
        # Counted as "all confirmed profiles, less those of members who are not active": the
        # first is read from the (network, employer_confirmed_at) index alone and the second
        # starts from the few memberships that are not active (their statuses named, so the
        # (network, status, created_at) index finds them), where joining every confirmed
        # profile to its membership read a hundred thousand rows at the dashboard's scale.
        # Every profile belongs to one membership (its primary key), so the two agree.
        confirmed = Profile.objects.filter(network_id=network_id, employer_confirmed_at__gte=since)
        others = confirmed.filter(
            membership__network_id=network_id,
            membership__status__in=[s for s in Status.values if s != Status.ACTIVE],
        )
        return confirmed.count() - others.count()

    key = caching.key("insights", "confirmed", network_id, f"{since:%Y%m%d%H%M}")
    return int(caching.cached(key, count, CACHE_SECONDS))


def month_rows(
    network_id: int, months: list[date], today: date, as_of: date | None = None
) -> dict[date, MonthRow]:
    """The rows of ``months``: stored totals for closed months that have them, the rest
    computed from the activity record (up to ``as_of``, today by default)."""
    as_of = as_of or today
    this_month = month_start(today)
    rows = {m: MonthRow(m, _days(m, as_of)) for m in months}
    closed = [m for m in months if m < this_month]
    stored = MonthTotals.objects.filter(network_id=network_id, month__in=closed)
    found = set()
    for totals in stored:
        if not COMPLETE.issubset(totals.data):
            continue  # stored before a figure was added: computed from the record
        row = rows[totals.month]
        data = totals.data
        for name in COUNTS:
            setattr(row, name, data.get(name, 0))
        row.retained = {int(k): n for k, n in data.get("retained", {}).items()}
        found.add(totals.month)
    # A later month a cohort needs may lie after the period: it is read up to today.
    missing = {m: rows[m] for m in months if m not in found and m <= today}
    if missing:
        first, last = (
            min(missing),
            min(month_end(max(missing)), as_of if max(missing) <= as_of else today),
        )
        _activity(network_id, first, last, missing)
        _contributions(network_id, first, last, missing)
        _joiners(network_id, first, last, missing)
        # Only closed months judge a cohort: the running month's retention is never read.
        closed_missing = {m: row for m, row in missing.items() if m < this_month}
        if closed_missing:
            end = min(month_end(max(closed_missing)), today)
            _retained(network_id, min(closed_missing), end, closed_missing)
    return rows


def store_closed_months(network_id: int, today: date, *, everything: bool = False) -> int:
    """Stores the totals of closed months: those not stored yet and the two latest (an
    attendance marked late), or all of the last three years with ``everything``."""
    this_month = month_start(today)
    closed = [add_months(this_month, -n) for n in range(STORED_MONTHS, 0, -1)]
    with scope(network=network_id):
        have = {
            month
            for month, data in MonthTotals.objects.filter(
                network_id=network_id, month__in=closed
            ).values_list("month", "data")
            if COMPLETE.issubset(data)
        }
        wanted = [m for m in closed if everything or m not in have or m >= closed[-2]]
        if not wanted:
            return 0
        rows = {m: MonthRow(m, _days(m, today)) for m in wanted}
        first, last = min(wanted), month_end(max(wanted))
        _activity(network_id, first, last, rows)
        _contributions(network_id, first, last, rows)
        _joiners(network_id, first, last, rows)
        _retained(network_id, first, last, rows)
        now = timezone.now()
        for month, row in rows.items():
            data: dict[str, object] = {name: getattr(row, name) for name in COUNTS}
            data["retained"] = {str(k): n for k, n in row.retained.items()}
            MonthTotals.objects.update_or_create(
                network_id=network_id, month=month, defaults={"data": data, "computed_at": now}
            )
    return len(wanted)


def _days(month: date, as_of: date) -> int:
    if month > as_of:
        return 0
    return (min(month_end(month), as_of) - month).days + 1


def _month_of(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = (
            value.astimezone(network_zone()).date() if timezone.is_aware(value) else value.date()
        )
    return month_start(value)


def _last_weeks(first: date, last: date, months: dict[date, MonthRow]) -> Q:
    """The last 7 days of each month (up to ``last``), within the month: the days its weekly
    figure counts."""
    weeks = Q()
    for month in months:
        end = min(month_end(month), last)
        if first <= end:
            weeks |= Q(day__gte=max(month, first, end - timedelta(days=6)), day__lte=end)
    return weeks or Q(day__lt=first)  # none: a day the query never reads (Q() counts all)


def _activity(network_id: int, first: date, last: date, months: dict[date, MonthRow]) -> None:
    rows = (
        ActivityDay.objects.filter(network_id=network_id, day__gte=first, day__lte=last)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(
            active=Count("member", distinct=True),
            weekly=Count("member", distinct=True, filter=_last_weeks(first, last, months)),
            posters=Count("member", distinct=True, filter=Q(posted=True)),
            member_days=Count("member"),
        )
        .order_by()
    )
    for row in rows:
        month = months.get(_month_of(row["month"]))
        if month is not None:
            month.active, month.posters = row["active"], row["posters"]
            month.weekly, month.member_days = row["weekly"], row["member_days"]


def _contributions(network_id: int, first: date, last: date, months: dict[date, MonthRow]) -> None:
    earlier = Contribution.objects.filter(
        network_id=network_id,
        kind=Kind.ATTENDANCE,
        member=OuterRef("member"),
        day__lt=OuterRef("day"),
    )
    posts = Q(kind__in=POST_KINDS)
    rows = (
        Contribution.objects.filter(network_id=network_id, day__gte=first, day__lte=last)
        .annotate(month=TruncMonth("day"))
        .values("month")
        # "day" is never null and in the (network, day, kind, role) index: counting it lets
        # PostgreSQL answer from the index alone.
        .annotate(
            posts=Count("day", filter=posts),
            office_posts=Count("day", filter=posts & Q(role=Role.OPERATOR)),
            stamps=Count("day", filter=Q(kind=Kind.STAMP)),
            comments=Count("day", filter=Q(kind=Kind.COMMENT)),
            topics=Count("day", filter=Q(kind__in=TOPIC_KINDS)),
            attendance=Count("day", filter=Q(kind=Kind.ATTENDANCE)),
        )
        .order_by()
    )
    for row in rows:
        month = months.get(_month_of(row["month"]))
        if month is not None:
            for name in ("posts", "office_posts", "stamps", "comments", "topics", "attendance"):
                setattr(month, name, row[name])
    repeats = (
        Contribution.objects.filter(
            network_id=network_id, kind=Kind.ATTENDANCE, day__gte=first, day__lte=last
        )
        .filter(Exists(earlier))
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in repeats:
        month = months.get(_month_of(row["month"]))
        if month is not None:
            month.repeaters = row["n"]


# Every status but "pending", named: "status IN (…)" walks the (network, status, created_at)
# index for a month's joiners, where "status <> 'pending'" read every membership.
JOINED = tuple(s for s in Status.values if s != Status.PENDING)


def _joined(network_id: int) -> Q:
    return Q(network_id=network_id, status__in=JOINED)


def _joiners(network_id: int, first: date, last: date, months: dict[date, MonthRow]) -> None:
    rows = (
        Membership.objects.filter(
            _joined(network_id),
            created_at__gte=_start_of(first),
            created_at__lt=_start_of(last + timedelta(days=1)),
        )
        .annotate(month=TruncMonth("created_at", tzinfo=network_zone(), output_field=DateField()))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        month = months.get(_month_of(row["month"]))
        if month is not None:
            month.joiners = row["n"]


def _retained(network_id: int, first: date, last: date, months: dict[date, MonthRow]) -> None:
    """Members active in each month who had joined 1, 3, 6 or 12 months before."""
    rows = (
        ActivityDay.objects.filter(
            network_id=network_id,
            day__gte=first,
            day__lte=last,
            member__created_at__gte=_start_of(add_months(first, -max(RETENTION_AFTER))),
            member__created_at__lt=_start_of(month_start(last)),
        )
        .exclude(member__status=Status.PENDING)
        .annotate(
            joined=TruncMonth(
                "member__created_at", tzinfo=network_zone(), output_field=DateField()
            ),
            month=TruncMonth("day"),
        )
        .values("joined", "month")
        .annotate(n=Count("member", distinct=True))
        .order_by()
    )
    for row in rows:
        joined, month = _month_of(row["joined"]), _month_of(row["month"])
        after = months_between(joined, month) - 1
        target = months.get(month)
        if target is not None and after in RETENTION_AFTER:
            target.retained[after] = row["n"]


def _funnel(network_id: int, period: Period, as_of: date) -> dict[str, int]:
    """Invited in the period → joined → active in the last 30 days of the period."""
    start, end = _start_of(period.first), _start_of(as_of + timedelta(days=1))
    accepted = Q(status=InvitationStatus.ACCEPTED)
    sent = Q(sent_at__gte=start, sent_at__lt=end)
    # An invitation accepted without a mail (a reminder-free link) counts from its acceptance.
    unsent = Q(sent_at__isnull=True) & accepted & Q(accepted_at__gte=start, accepted_at__lt=end)
    recent = ActivityDay.objects.filter(
        network_id=network_id,
        member=OuterRef("membership"),
        day__gt=as_of - timedelta(days=ACTIVE_DAYS),
        day__lte=as_of,
    )
    return (
        Invitation.objects.filter(network_id=network_id)
        .filter(sent | unsent)
        .annotate(recent=Exists(recent))
        .aggregate(
            invited=Count("id"),
            joined=Count("id", filter=accepted),
            active=Count("id", filter=accepted & Q(recent=True)),
        )
    )


def _window(network_id: int, as_of: date) -> dict[str, int]:
    """Active members on the last day, in the last 7 and 30 days, and who of them posted."""
    last30 = ActivityDay.objects.filter(
        network_id=network_id, day__gt=as_of - timedelta(days=30), day__lte=as_of
    )
    return last30.aggregate(
        dau=Count("member", distinct=True, filter=Q(day=as_of)),
        wau=Count("member", distinct=True, filter=Q(day__gt=as_of - timedelta(days=7))),
        mau=Count("member", distinct=True),
        mau_posters=Count("member", distinct=True, filter=Q(posted=True)),
    )
