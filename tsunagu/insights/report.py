"""The quarterly report for the management meeting: one A4 page answering 「これ、やる意味ある?」.

MAU over the last six months, the quarter's events and how many came back, what the network
produced (the confirmed outcomes of the ledger, without names), and two quotes the office
picks. Printed from the browser, and exported as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from tsunagu.audit.models import AuditAction, record
from tsunagu.core.charts import Chart, Series
from tsunagu.core.csvsafe import csv_safe
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Membership

from .figures import Period, add_months, figures_for, month_start
from .ledger import check_ledger_permission
from .programme_models import Outcome, OutcomeKind, OutcomeStatus, QuarterNote

QUARTER = re.compile(r"^(20\d\d)-Q([1-4])$")


class QuarterError(ValueError):
    pass


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = QUARTER.match((text or "").strip().upper())
        if not found:
            raise QuarterError(_("Choose a quarter such as 2026-Q4."))
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_month(self) -> date:
        return add_months(self.first, 2)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    def previous(self, n: int = 1) -> Quarter:
        month = add_months(self.first, -3 * n)
        return Quarter.of(month)


@dataclass
class Report:
    quarter: Quarter
    mau_chart: Chart
    mau_last: int
    mau_change: int | None  # against the month three months before
    attendance: int
    repeaters: int
    repeat_rate: float | None
    posts: int
    office_share: float | None
    outcomes: list[Outcome]
    outcome_counts: list[tuple[str, int]]
    value_yen: int
    note: QuarterNote | None
    future: bool


def quarter_report(member: Membership, quarter: Quarter) -> Report:
    check_ledger_permission(member)
    today = network_day_today()
    network_id = member.network_id
    future = quarter.first > today
    trend = figures_for(network_id, Period(add_months(quarter.last_month, -5), quarter.last_month))
    months = {row.month: row for row in trend.months}
    in_quarter = [
        months[m] for m in (add_months(quarter.first, i) for i in range(3)) if m in months
    ]
    mau = [(m.month, m.active) for m in trend.months]
    chart = Chart(
        title=_("Monthly active members"),
        labels=[f"{m:%Y/%m}" for m, _count in mau],
        series=[Series(_("Active members"), [count for _m, count in mau])],
        kind="line",
        description=_("Members active each month over the last six months"),
    )
    last_month = month_start(min(today, quarter.last_month)) if not future else quarter.last_month
    mau_last = months[last_month].active if last_month in months else 0
    before = months.get(add_months(last_month, -3))
    attendance = sum(m.attendance for m in in_quarter)
    repeaters = sum(m.repeaters for m in in_quarter)
    posts = sum(m.posts for m in in_quarter)
    office = sum(m.office_posts for m in in_quarter)
    outcomes = list(
        Outcome.objects.filter(
            network_id=network_id,
            status=OutcomeStatus.CONFIRMED,
            on__gte=quarter.first,
            on__lt=add_months(quarter.first, 3),
        ).order_by("on", "pk")
    )
    labels = dict(OutcomeKind.choices)
    counts = Counter(o.kind for o in outcomes)
    return Report(
        quarter=quarter,
        mau_chart=chart,
        mau_last=mau_last,
        mau_change=(mau_last - before.active) if before is not None else None,
        attendance=attendance,
        repeaters=repeaters,
        repeat_rate=round(100 * repeaters / attendance, 1) if attendance else None,
        posts=posts,
        office_share=round(100 * office / posts, 1) if posts else None,
        outcomes=outcomes,
        outcome_counts=[(str(labels[k]), n) for k, n in counts.most_common()],
        value_yen=sum(o.value_yen or 0 for o in outcomes),
        note=QuarterNote.objects.filter(network_id=network_id, quarter=quarter.key).first(),
        future=future,
    )


def network_day_today() -> date:
    from django.utils import timezone

    return network_day(timezone.now())


def do_save_quotes(member: Membership, quarter: Quarter, **quotes: str) -> QuarterNote:
    check_ledger_permission(member)
    note, _created = QuarterNote.objects.update_or_create(
        network_id=member.network_id, quarter=quarter.key, defaults=quotes
    )
    return note


def export_csv(member: Membership, report: Report, encoding: str) -> bytes:
    """The report's figures and outcomes for Excel; every cell safe from formulas; audited."""
    check_ledger_permission(member)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def blank(value: object) -> object:
        return "" if value is None else value

    rows: list[list[object]] = [
        [_("Quarter"), report.quarter.key],
        [_("Monthly active members"), report.mau_last],
        [_("Change in three months"), blank(report.mau_change)],
        [_("Event attendances"), report.attendance],
        [_("Attendances by people who came before"), report.repeaters],
        [_("Repeat rate (%)"), blank(report.repeat_rate)],
        [_("Posts"), report.posts],
        [_("Share written by the office (%)"), blank(report.office_share)],
        [_("Outcomes"), len(report.outcomes)],
        [_("Value of the outcomes (yen)"), report.value_yen],
        [],
        [_("Date"), _("Kind"), _("Value (yen)"), _("Note")],
    ]  # fmt: skip
    for outcome in report.outcomes:
        rows.append(
            [
                outcome.on.isoformat(),
                outcome.get_kind_display(),
                outcome.value_yen or "",
                outcome.note,
            ]
        )
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    record(member, AuditAction.EXPORT_LEDGER, quarter=report.quarter.key, encoding=encoding)
    text = buffer.getvalue()
    if encoding == "utf-8":
        return ("\ufeff" + text).encode("utf-8")
    return text.encode("cp932", errors="replace")
