"""The operators' figures of past events, as a page and as CSV."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.core.csvsafe import csv_safe
from tsunagu.tenancy.decorators import operator_required
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.requests import NetworkRequest

from ..figures import event_figures, monthly_figures
from ..models import (
    Event,
)


def _started_events(member: Membership) -> list[Event]:
    return list(
        Event.objects.filter(network=member.network, starts_at__lte=timezone.now())
        .order_by("-starts_at", "-id")
        .only("id", "title", "starts_at", "capacity")
    )


@operator_required
def figures(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    rows = event_figures(member.network, _started_events(member))
    return render(
        request,
        "events/figures.html",
        {"rows": rows[:FIGURES_EVENTS], "months": monthly_figures(rows)[:FIGURES_MONTHS]},
    )


FIGURES_EVENTS = 100


FIGURES_MONTHS = 24


@operator_required
def figures_csv(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    rows = event_figures(member.network, _started_events(member))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    by_month = request.GET.get("by") == "month"
    name = "event-figures-by-month.csv" if by_month else "event-figures.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # lets Excel open UTF-8 Japanese correctly
    writer = csv.writer(response)
    if by_month:
        writer.writerow(
            [_("Month"), _("Events"), _("Registrations"), _("Attended"), _("No-shows"),
             _("Repeat rate")]
        )  # fmt: skip
        for m in monthly_figures(rows):
            writer.writerow(
                [m.month, m.events, m.registrations, m.attended, m.no_shows, _rate(m.repeat_rate)]
            )
        return response
    writer.writerow(
        [
            _("Event"),
            _("Starts"),
            _("Capacity"),
            _("Registrations"),
            _("Confirmed"),
            _("Waiting"),
            _("Attended"),
            _("No-shows"),
            _("Repeat rate"),
        ]
    )
    for row in reversed(rows):  # oldest first
        writer.writerow(
            [
                csv_safe(row.title),  # a spreadsheet shows it, never runs it
                timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M"),
                row.capacity if row.capacity is not None else "",
                row.registrations,
                row.confirmed,
                row.waitlisted,
                row.attended,
                row.no_shows,
                _rate(row.repeat_rate),
            ]
        )
    return response


def _rate(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""
