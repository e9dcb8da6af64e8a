"""The figures as the dashboard shows them: charts with their tables, and the CSV's rows."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from tsunagu.core.charts import Chart, Series
from tsunagu.tenancy.models import Role, Status

from .figures import RETENTION_AFTER, Figures, MonthRow


def month_label(figures: Figures) -> list[str]:
    return [f"{row.month:%Y-%m}" for row in figures.months]


# The dashboard's charts, in the order it shows them; each is also an image of its own
# (``views_dashboard.chart``), named in its address.
CHART_NAMES = ("active", "posters", "office", "replies", "attendance", "repeat")


def charts(figures: Figures) -> list[Chart]:
    labels = month_label(figures)
    rows = figures.months
    made = _charts(figures, labels, rows)
    for name, chart in zip(CHART_NAMES, made, strict=True):
        chart.extra.update({"label_heading": _("Month"), "name": name})
    return made


def chart_named(figures: Figures, name: str) -> Chart | None:
    return dict(zip(CHART_NAMES, charts(figures), strict=True)).get(name)


def _charts(figures: Figures, labels: list[str], rows: list[MonthRow]) -> list[Chart]:
    return [
        Chart(
            _("Active members per month"),
            labels,
            [
                Series(_("Monthly active members"), [r.active for r in rows]),
                Series(
                    _("Weekly active members (the month's last 7 days)"), [r.weekly for r in rows]
                ),
                Series(_("Daily active members (average)"), [r.dau for r in rows]),
            ],
            kind="line",
            description=_(
                "Members active at least once each month, in its last 7 days and on an average day."
            ),
        ),
        Chart(
            _("Posters and readers"),
            labels,
            [
                Series(_("Posted"), [r.posters for r in rows]),
                Series(_("Only read or reacted"), [r.readers for r in rows]),
            ],
            kind="stacked",
            description=_("Active members each month: those who posted and those who did not."),
        ),
        Chart(
            _("Share of posts written by the office"),
            labels,
            [Series(_("Office's share"), [r.office_share for r in rows])],
            unit="%",
            max_value=100,
            description=_("Posts by operators, as a share of all posts, with roles as they were."),
        ),
        Chart(
            _("Stamps and replies per post"),
            labels,
            [
                Series(_("Stamps per post"), [r.stamps_per_post for r in rows]),
                Series(_("Comments per thread or article"), [r.replies_per_topic for r in rows]),
            ],
            kind="line",
            description=_(
                "Stamps each post received, and comments each thread or article received, "
                "month by month."
            ),
        ),
        Chart(
            _("Event attendance"),
            labels,
            [
                Series(_("First time"), [r.attendance - r.repeaters for r in rows]),
                Series(_("Came again"), [r.repeaters for r in rows]),
            ],
            kind="stacked",
            description=_("Attendances each month: people at their first event and people back."),
        ),
        Chart(
            _("Repeat rate of events"),
            labels,
            [Series(_("Repeat rate"), [r.repeat_rate for r in rows])],
            unit="%",
            max_value=100,
            description=_("Share of attendances by people who had come to an earlier event."),
        ),
    ]


def member_rows(figures: Figures) -> list[tuple[str, list[int]]]:
    """Members by role (rows) and status (columns)."""
    statuses = [s for s in Status.values]
    return [
        (str(label), [figures.members.get((role, status), 0) for status in statuses])
        for role, label in Role.choices
    ]


def cohort_rows(figures: Figures) -> list[tuple[object, int, list[float | None]]]:
    return [(c.month, c.joiners, [c.share(n) for n in RETENTION_AFTER]) for c in figures.cohorts]


def _cell(value: float | int | None) -> str:
    return "" if value is None else str(value)


def csv_rows(figures: Figures) -> Iterator[list[str]]:
    """Every figure of the dashboard, in sections a spreadsheet reads."""
    yield [_("Period"), f"{figures.period.first:%Y-%m}", f"{figures.period.last:%Y-%m}"]
    yield [_("Counted up to"), f"{figures.as_of:%Y-%m-%d}"]
    yield []
    yield [_("Role"), *[str(label) for _value, label in Status.choices]]
    for label, counts in member_rows(figures):
        yield [label, *[str(n) for n in counts]]
    yield []
    yield [_("Invited"), _("Joined"), _("Active in the last 30 days")]
    yield [str(figures.invited), str(figures.joined), str(figures.joined_active)]
    yield []
    yield [_("Daily active"), _("Weekly active"), _("Monthly active"),
           _("Posted in the last 30 days")]  # fmt: skip
    yield [str(figures.dau), str(figures.wau), str(figures.mau),
           str(figures.mau_posters)]  # fmt: skip
    yield []
    yield [
        _("Month"),
        _("Monthly active members"),
        _("Weekly active members (the month's last 7 days)"),
        _("Daily active members (average)"),
        _("Posted"),
        _("Only read or reacted"),
        _("Posts"),
        _("Posts by the office"),
        _("Office's share (%)"),
        _("Stamps"),
        _("Comments"),
        _("Stamps per post"),
        _("Comments per thread or article"),
        _("Attendances"),
        _("Came again"),
        _("Repeat rate (%)"),
        _("Joined"),
    ]
    for r in figures.months:
        yield [
            f"{r.month:%Y-%m}",
            *map(
                _cell,
                [
                    r.active,
                    r.weekly,
                    r.dau,
                    r.posters,
                    r.readers,
                    r.posts,
                    r.office_posts,
                    r.office_share,
                    r.stamps,
                    r.comments,
                    r.stamps_per_post,
                    r.replies_per_topic,
                    r.attendance,
                    r.repeaters,
                    r.repeat_rate,
                    r.joiners,
                ],
            ),
        ]
    yield []
    yield [
        _("Joined in"),
        _("Joined"),
        *[_("Active after %(n)s months (%%)") % {"n": n} for n in RETENTION_AFTER],
    ]
    for cohort in figures.cohorts:
        yield [
            f"{cohort.month:%Y-%m}",
            str(cohort.joiners),
            *[_cell(cohort.share(n)) for n in RETENTION_AFTER],
        ]
    yield []
    yield [_("Profiles"), _("Confirmed in the last 12 months"), _("Share (%)")]
    yield [
        str(figures.profiles),
        str(figures.profiles_confirmed),
        _cell(figures.confirmed_share),
    ]
