"""Figures for operators: who applied, who came, and how many came back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from tsunagu.tenancy.models import Network

from .models import Event, Registration, RegistrationStatus

S = RegistrationStatus


@dataclass
class EventFigures:
    event_id: int
    title: str
    starts_at: datetime
    capacity: int | None
    registrations: int  # every application that was not cancelled or declined
    confirmed: int
    waitlisted: int
    attended: int
    no_shows: int
    repeaters: int  # attendees who had attended an earlier event of the network

    @property
    def repeat_rate(self) -> float | None:
        """Share of attendees who came to an earlier event; None when nobody came."""
        return self.repeaters / self.attended if self.attended else None

    @property
    def no_show_rate(self) -> float | None:
        held = self.attended + self.no_shows
        return self.no_shows / held if held else None


def event_figures(network: Network, events: list[Event]) -> list[EventFigures]:
    """Figures for the given events of one network, in two queries whatever their number."""
    ids = [e.pk for e in events]
    counts = {
        row["event_id"]: row
        for row in Registration.objects.filter(network=network, event_id__in=ids)
        .values("event_id")
        .annotate(
            registrations=Count("id", filter=~Q(status__in=[S.CANCELLED, S.DECLINED])),
            confirmed=Count("id", filter=Q(status=S.CONFIRMED)),
            waitlisted=Count("id", filter=Q(status=S.WAITLISTED)),
            attended=Count("id", filter=Q(status=S.ATTENDED)),
            no_shows=Count("id", filter=Q(status=S.NO_SHOW)),
        )
    }
    # Every attendance of the network, oldest first, to know who had come before each event.
    attendance = Registration.objects.filter(network=network, status=S.ATTENDED).values_list(
        "event_id", "user_id", "event__starts_at"
    )
    first_seen: dict[int, datetime] = {}
    by_event: dict[int, list[int]] = {}
    for event_id, user_id, starts_at in attendance:
        if user_id not in first_seen or starts_at < first_seen[user_id]:
            first_seen[user_id] = starts_at
        by_event.setdefault(event_id, []).append(user_id)
    result = []
    for event in events:
        row = counts.get(event.pk, {})
        attendees = by_event.get(event.pk, [])
        result.append(
            EventFigures(
                event_id=event.pk,
                title=event.title,
                starts_at=event.starts_at,
                capacity=event.capacity,
                registrations=row.get("registrations", 0),
                confirmed=row.get("confirmed", 0),
                waitlisted=row.get("waitlisted", 0),
                attended=row.get("attended", 0),
                no_shows=row.get("no_shows", 0),
                repeaters=sum(1 for u in attendees if first_seen[u] < event.starts_at),
            )
        )
    return result


@dataclass
class MonthFigures:
    month: str  # "2026-11", in the site's time zone
    events: int = 0
    registrations: int = 0
    attended: int = 0
    no_shows: int = 0
    repeaters: int = 0

    @property
    def repeat_rate(self) -> float | None:
        return self.repeaters / self.attended if self.attended else None


def monthly_figures(rows: list[EventFigures]) -> list[MonthFigures]:
    """The per-event figures summed by month, newest month first."""
    from django.utils import timezone

    months: dict[str, MonthFigures] = {}
    for row in rows:
        key = timezone.localtime(row.starts_at).strftime("%Y-%m")
        month = months.setdefault(key, MonthFigures(key))
        month.events += 1
        month.registrations += row.registrations
        month.attended += row.attended
        month.no_shows += row.no_shows
        month.repeaters += row.repeaters
    return sorted(months.values(), key=lambda m: m.month, reverse=True)
