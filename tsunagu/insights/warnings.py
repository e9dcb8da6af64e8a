"""Early warnings: the ways alumni networks fade (seed 001), measured before they are obvious.

Each warning is a measured value set against the network's threshold (``InsightSettings``),
with what has worked in other networks. What is measured is kept in the cache (``measures_for``):
the slow part (months of active members) for the day, what changes by the hour (consultations
waiting, newcomers not welcomed) for ten minutes. Thresholds are applied when the warnings are
read (``evaluate``), so a changed threshold shows on the next page without a recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope

from tsunagu.boards.models import Comment, Thread, ThreadKind
from tsunagu.core import caching
from tsunagu.feed.models import Welcome
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.tenancy.days import day_start, network_day
from tsunagu.tenancy.models import Membership, Role, Status

from . import day_totals
from .figures import (
    _percent,
    add_months,
    confirmed_profiles,
    members_by_role,
    month_rows,
    month_start,
)
from .models import ContributionKind
from .thresholds import RANGES, InsightSettings

Kind = ContributionKind
RECENT = timedelta(days=90)  # the window of the office's share, repeat rate and new faces
INVITED_FROM, INVITED_TO = timedelta(days=56), timedelta(days=14)  # invitations given time
NEWCOMERS_WITHIN = timedelta(days=30)
SLOW_SECONDS = 26 * 60 * 60
LIVE_SECONDS = 10 * 60


@dataclass
class Measures:
    """What the warnings read, as of ``day``."""

    day: date
    posts: int = 0
    office_posts: int = 0
    mau: list[tuple[date, int]] = field(default_factory=list)  # closed months, oldest first
    attendance: int = 0
    first_timers: int = 0
    repeaters: int = 0
    attendance_before: int = 0
    repeaters_before: int = 0
    invited: int = 0
    joined: int = 0
    profiles: int = 0
    profiles_confirmed: int = 0
    # What changes by the hour: when each waiting consultation was asked, each newcomer joined.
    consultations: list[datetime] = field(default_factory=list)
    newcomers: list[datetime] = field(default_factory=list)


def settings_for(network_id: int) -> InsightSettings:
    """The network's settings; the defaults (not saved yet) until an operator saves them."""
    with scope(network=network_id):
        found = InsightSettings.objects.filter(network_id=network_id).first()
    return found or InsightSettings(network_id=network_id)


def _slow_key(network_id: int, day: date) -> str:
    return caching.key("insights", "measures", network_id, f"{day:%Y%m%d}")


def _live_key(network_id: int) -> str:
    return caching.key("insights", "measures-live", network_id)


def measures_for(network_id: int, *, fresh: bool = False) -> Measures:
    now = timezone.now()
    today = network_day(now)
    slow_key, live_key = _slow_key(network_id, today), _live_key(network_id)
    found = {} if fresh else caching.read_many([slow_key, live_key])
    measures = caching.cached(
        slow_key, lambda: measure_slow(network_id, today, fresh=fresh), SLOW_SECONDS, found=found
    )
    live = found.get(live_key)
    if live is None or live[0] != today:
        live = (today, *measure_live(network_id, now))
        caching.store(live_key, live, LIVE_SECONDS)
    measures.consultations, measures.newcomers = live[1], live[2]
    return measures


def measure_slow(network_id: int, today: date, *, fresh: bool = False) -> Measures:
    """The day's slow measures; ``fresh`` counts the stored days again."""
    m = Measures(day=today)
    since = today - RECENT
    with scope(network=network_id):
        # Days that are over from their stored totals, today from the record (``day_totals``).
        window = day_totals.days(network_id, since - RECENT + timedelta(days=1), today, fresh=fresh)
        recent = [totals for day, totals in window.items() if day > since]
        before = [totals for day, totals in window.items() if day <= since]
        m.posts = sum(d.posts for d in recent)
        m.office_posts = sum(d.office_posts for d in recent)
        m.attendance = sum(d.attendance for d in recent)
        m.repeaters = sum(d.repeaters for d in recent)
        m.attendance_before = sum(d.attendance for d in before)
        m.repeaters_before = sum(d.repeaters for d in before)
        m.first_timers = m.attendance - m.repeaters

        this_month = month_start(today)
        first = add_months(this_month, -(RANGES["mau_falling_months"][2] + 1))
        months = [add_months(first, i) for i in range(RANGES["mau_falling_months"][2] + 1)]
        rows = month_rows(network_id, months, today)
        m.mau = [(month, rows[month].active) for month in months]

        start = day_start(timezone.now())
        invitations = Invitation.objects.filter(
            network_id=network_id,
            sent_at__gte=start - INVITED_FROM,
            sent_at__lt=start - INVITED_TO,
        ).aggregate(
            invited=Count("id"), joined=Count("id", filter=Q(status=InvitationStatus.ACCEPTED))
        )
        m.invited, m.joined = invitations["invited"], invitations["joined"]

        m.profiles = sum(
            n
            for (_role, status), n in members_by_role(network_id).items()
            if status == Status.ACTIVE
        )
        m.profiles_confirmed = confirmed_profiles(network_id, start - timedelta(days=365))
    return m


def measure_live(network_id: int, now: datetime) -> tuple[list[datetime], list[datetime]]:
    """When each unanswered consultation of the last 90 days was asked; when each newcomer of
    the last 30 days nobody welcomed joined."""
    with scope(network=network_id):
        # An answer is a visible comment by someone other than the asker.
        answers = Comment.objects.filter(
            network_id=network_id, thread=OuterRef("pk"), is_hidden=False
        ).exclude(author_id=F("thread__author_id"))
        consultations = list(
            Thread.objects.filter(
                network_id=network_id,
                kind=ThreadKind.CONSULTATION,
                is_hidden=False,
                is_answered=False,
                created_at__gte=now - RECENT,
            )
            .filter(~Exists(answers))
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        welcomed = Welcome.objects.filter(network_id=network_id, newcomer=OuterRef("pk"))
        newcomers = list(
            Membership.objects.filter(
                network_id=network_id,
                status=Status.ACTIVE,
                created_at__gte=now - NEWCOMERS_WITHIN,
            )
            .exclude(role=Role.OPERATOR)
            .filter(~Exists(welcomed))
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
    return consultations, newcomers


def forget_live(network_id: int) -> None:
    """After a welcome, an answer or a newcomer the dashboard shows it at once
    (``dashboard_signals``)."""
    caching.forget(_live_key(network_id))


@dataclass(frozen=True)
class Warning:
    key: str
    title: str
    firing: bool
    measured: str  # the value, in words
    threshold: str
    hint: str
    known: bool = True  # False: nothing to judge yet (no posts, no events, no invitations)


TITLES = {
    "office_share": gettext_lazy("The office writes most posts"),
    "mau_falling": gettext_lazy("Monthly active members are falling"),
    "repeat_falling": gettext_lazy("Fewer people come back to events"),
    "signups_stalled": gettext_lazy("Invitations bring few sign-ups"),
    "consultations": gettext_lazy("Consultations left unanswered"),
    "newcomers": gettext_lazy("Newcomers nobody has welcomed"),
    "new_faces": gettext_lazy("No new faces at events"),
    "profiles_stale": gettext_lazy("Profiles are going stale"),
}

# What has worked elsewhere, in the words of operators who have been there (seeds 001–003).
HINTS = {
    "office_share": gettext_lazy(
        "When only announcements appear, members take the network for a notice board. "
        "Networks that recovered asked their supporters to post a short update or a photo, "
        "opened a 'what are you up to these days?' thread, and had the office answer every "
        "newcomer's introduction first."
    ),
    "mau_falling": gettext_lazy(
        "Members are finding fewer reasons to come back. A monthly digest with members' news "
        "and the next event, regular news from the company, and a personal word from a "
        "supporter to members who have gone quiet are what brought people back elsewhere."
    ),
    "repeat_falling": gettext_lazy(
        "Curiosity fills the first events; without a reason to come again they dwindle. "
        "Operators had success with a fixed rhythm (a morning meetup, a weekly "
        "self-introduction relay), more time for attendees to talk to each other, and a short "
        "report with the next date sent right after each event."
    ),
    "signups_stalled": gettext_lazy(
        "A bulk e-mail is easily buried. Mentioning the network in the exit interview, asking "
        "former bosses and peers to add a personal word, and saying in the subject who invites "
        "and what the network is for made a clear difference elsewhere."
    ),
    "consultations": gettext_lazy(
        "A question nobody answers stops the asker, and everyone who saw it, from asking "
        "again. Reply with a quick 'seen it, we are looking for someone who knows', then "
        "introduce a member who can help: the office or a supporter can do both in a minute."
    ),
    "newcomers": gettext_lazy(
        "People who have just joined wonder whether they are welcome. Supporters who send a "
        "welcome stamp and a line within a few days, and introduce someone from the same "
        "department or year, see newcomers write their first post much sooner."
    ),
    "new_faces": gettext_lazy(
        "Events with the same faces every time feel closed from outside. A slot or a note for "
        "first-timers, asking regulars to bring one person each, and co-hosting with another "
        "company's alumni network brought new people in elsewhere."
    ),
    "profiles_stale": gettext_lazy(
        "An old directory cannot tell who works where now, and the page members read most "
        "stops being used. A yearly mail asking members to check their profile, or asking it "
        "alongside an event registration, keeps the directory fresh."
    ),
}


def _warning(key: str, firing: bool, measured: str, threshold: str, known: bool = True) -> Warning:
    return Warning(
        key=key,
        title=str(TITLES[key]),
        firing=firing and known,
        measured=measured,
        threshold=threshold,
        hint=str(HINTS[key]),
        known=known,
    )


def falling_months(mau: list[tuple[date, int]]) -> int:
    """How many of the latest closed months had fewer active members than the month before."""
    falls = 0
    for (_m, before), (_n, after) in reversed(list(zip(mau, mau[1:], strict=False))):
        if after < before:
            falls += 1
        else:
            break
    return falls


def evaluate(settings: InsightSettings, m: Measures, now: datetime) -> list[Warning]:
    """The eight warnings, in the order of seed 001's story; ``firing`` ones first on the page."""
    s = settings
    out = []
    share = _percent(m.office_posts, m.posts)
    out.append(
        _warning(
            "office_share",
            share is not None and share > s.office_share_max,
            _("%(share)s%% of the %(posts)s new posts of the last 90 days (comments not counted)")
            % {"share": share, "posts": m.posts}
            if share is not None
            else _("No posts in the last 90 days"),
            _("more than %(n)s%%") % {"n": s.office_share_max},
            known=share is not None,
        )
    )
    falls = falling_months(m.mau)
    recent = " → ".join(str(n) for _month, n in m.mau[-(s.mau_falling_months + 1) :])
    out.append(
        _warning(
            "mau_falling",
            falls >= s.mau_falling_months,
            _("fell %(n)s months running (%(series)s)") % {"n": falls, "series": recent},
            _("%(n)s months running") % {"n": s.mau_falling_months},
            known=any(n for _month, n in m.mau),
        )
    )
    rate = _percent(m.repeaters, m.attendance)
    before = _percent(m.repeaters_before, m.attendance_before)
    drop = round(before - rate, 1) if rate is not None and before is not None else None
    out.append(
        _warning(
            "repeat_falling",
            drop is not None and drop >= s.repeat_drop_points,
            _("%(before)s%% → %(now)s%% (3 months before → last 3 months)")
            % {"before": before, "now": rate}
            if drop is not None
            else _("Not enough attendance to compare"),
            _("a fall of %(n)s points") % {"n": s.repeat_drop_points},
            known=drop is not None,
        )
    )
    joined = _percent(m.joined, m.invited)
    out.append(
        _warning(
            "signups_stalled",
            joined is not None and joined < s.signup_rate_min,
            _("%(joined)s of %(invited)s people invited 2 to 8 weeks ago joined (%(share)s%%)")
            % {"joined": m.joined, "invited": m.invited, "share": joined}
            if joined is not None
            else _("No invitations sent 2 to 8 weeks ago"),
            _("less than %(n)s%%") % {"n": s.signup_rate_min},
            known=joined is not None,
        )
    )
    waiting = [at for at in m.consultations if now - at >= timedelta(days=s.consultation_days)]
    out.append(
        _warning(
            "consultations",
            bool(waiting),
            _("%(n)s consultations without an answer") % {"n": len(waiting)},
            _("unanswered for %(n)s days") % {"n": s.consultation_days},
        )
    )
    alone = [at for at in m.newcomers if now - at >= timedelta(days=s.welcome_days)]
    out.append(
        _warning(
            "newcomers",
            bool(alone),
            _("%(n)s newcomers of the last 30 days without a welcome") % {"n": len(alone)},
            _("no welcome after %(n)s days") % {"n": s.welcome_days},
        )
    )
    new = _percent(m.first_timers, m.attendance)
    out.append(
        _warning(
            "new_faces",
            new is not None and new < s.new_faces_min,
            _("%(n)s first-timers among %(total)s attendances of the last 90 days (%(share)s%%)")
            % {"n": m.first_timers, "total": m.attendance, "share": new}
            if new is not None
            else _("No event attendance in the last 90 days"),
            _("less than %(n)s%%") % {"n": s.new_faces_min},
            known=new is not None,
        )
    )
    fresh = _percent(m.profiles_confirmed, m.profiles)
    out.append(
        _warning(
            "profiles_stale",
            fresh is not None and fresh < s.profiles_fresh_min,
            _("%(share)s%% of %(n)s profiles confirmed in the last 12 months")
            % {"share": fresh, "n": m.profiles}
            if fresh is not None
            else _("No profiles yet"),
            _("less than %(n)s%%") % {"n": s.profiles_fresh_min},
            known=fresh is not None,
        )
    )
    return out


def warnings_for(network_id: int) -> list[Warning]:
    """The network's warnings now, in the active language."""
    return evaluate(settings_for(network_id), measures_for(network_id), timezone.now())
