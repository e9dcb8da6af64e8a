"""The event list and the month calendar."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from tsunagu.collab.access import filter_guest_cohosts
from tsunagu.collab.guests import guest_events, guests_key
from tsunagu.core import caching, shared
from tsunagu.core.feedtokens import version_key
from tsunagu.core.templatetags.layout import read_with_layout
from tsunagu.core.urls_cache import network_link
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions, holes, listing
from ..access import (
    calendar_feed_token,
    can_create_events,
    filter_events_for,
)
from ..forms import (
    EventFilterForm,
)
from ..models import (
    LIVE,
    Event,
    RegistrationStatus,
    Series,
)
from ..signals import series_key

PAGE_SIZE = 20


@dataclass
class ListPage:
    """A page of the list without counting the list: the next page is known to exist when one
    more event than a page holds comes back (thousands of past events are never counted)."""

    events: list[listing.ListedEvent]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@member_required
def event_list(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = EventFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    past = data.get("when") == "past"
    try:
        number = max(1, min(int(request.GET.get("page") or 1), 10_000))
    except ValueError:
        number = 1
    # The list's version, the member's visit, the series, the feed addresses' version, the
    # events co-hosted with linked networks and the header's entries: one round trip.
    cached = read_with_layout(
        request,
        [
            *listing.page_keys(member),
            actions.list_visit_key(member),
            series_key(member.network_id),
            version_key("events", member.pk),
            guests_key(member.network_id),
        ],
    )
    found = listing.events_page(
        member,
        found_keys=cached,
        now=timezone.now(),
        past=past,
        category=data.get("category") or "",
        words=(data.get("q") or "").split(),
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE + 1,  # one more than a page: is there a next page?
    )
    page = ListPage(found[:PAGE_SIZE], number, len(found) > PAGE_SIZE)
    # Counted for the page's events only: an aggregate over the whole list would read every
    # registration of thousands of past events to show twenty.
    seats = listing.seats_and_mine(member, [e.pk for e in page.events])
    statuses = dict(RegistrationStatus.choices)
    last_visit = actions.do_record_list_visit(member, cached)
    events = page.events
    for event in events:
        counted = seats.get(event.pk)
        event.seats = counted.taken if counted else 0
        status = counted.mine if counted else None
        event.my_status = str(statuses[status]) if status in LIVE else ""
        event.is_new = (
            last_visit is not None
            and event.created_at > last_visit
            and not past
            and not event.called_off_at
        )
    rows = shared.rows(
        caching.key("events", "list", member.network.slug),
        events,
        version=lambda e: f"{e.pk}:{e.updated_at.timestamp()}:{e.seats}",
        render=lambda e: render_to_string(
            "events/list_row.html", {"event": e.event, "seats": e.seats, "request": request}
        ),
        resolvers=holes.list_rows(
            new={e.pk for e in events if e.is_new},
            statuses={e.pk: e.my_status for e in events if e.my_status},
        ),
        where="events:list",
        prepare=listing.load_events,
    )
    query = request.GET.copy()
    query.pop("page", None)
    # Events of linked networks co-hosted with this one (collab), read for the reader on the
    # first page of what is coming: never part of the list's shared pages.
    guests = [] if past or number > 1 else guest_events(member, cached)
    return render(
        request,
        "events/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filters": {
                "q": data.get("q") or "",
                "category": data.get("category") or "",
                "when": data.get("when") or "upcoming",
            },
            "categories": form.fields["category"].choices,  # type: ignore[attr-defined]
            "whens": form.fields["when"].choices,  # type: ignore[attr-defined]
            "past": past,
            "query": query.urlencode(),
            "can_create": can_create_events(member),
            "series": _series_of(member.network_id, cached),
            "feed_token": calendar_feed_token(member, cached),
            "cohosted": guests,
        },
    )


def _series_of(network_id: int, found: dict[str, Any]) -> list[dict[str, object]]:
    """The network's series for the list's chips, kept until one is saved or deleted."""

    def load() -> list[dict[str, object]]:
        rows = Series.objects.filter(network_id=network_id).values("pk", "title")
        return [dict(row) for row in rows]

    return caching.cached(series_key(network_id), load, caching.HOUR, found=found)


@dataclass(frozen=True)
class MonthEntry:
    """An event as the month calendar shows it: its own network's, or one co-hosted with it
    (``host``: the network that holds it)."""

    starts_at: datetime
    title: str
    url: str
    host: str = ""


@member_required
def event_month(request: NetworkRequest) -> HttpResponse:
    """A month calendar: the weeks of the month with each day's events."""
    member = request.membership
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
        if not 2000 <= year <= 2999:
            raise ValueError
    except (TypeError, ValueError):
        first = today.replace(day=1)
    weeks = pycalendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    tz = timezone.get_current_timezone()
    start = datetime.combine(weeks[0][0], time.min, tzinfo=tz)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), time.min, tzinfo=tz)
    events = filter_events_for(
        member, Event.objects.filter(starts_at__gte=start, starts_at__lt=end)
    ).order_by("starts_at", "id")
    slug = member.network.slug
    entries = [
        MonthEntry(
            event.starts_at, event.title, network_link(slug, "events:detail", "event_id", event.pk)
        )
        for event in events
    ]
    # Events of linked networks co-hosted with this one (collab), at the member's own address.
    entries += [
        MonthEntry(
            row.event.starts_at,
            row.event.title,
            network_link(slug, "collab:cohost_event", "event_id", row.event_id),
            host=row.network.name,
        )
        for row in filter_guest_cohosts(member)
        if start <= row.event.starts_at < end
    ]
    entries.sort(key=lambda entry: entry.starts_at)
    by_day: dict[date, list[MonthEntry]] = {}
    for entry in entries:
        by_day.setdefault(timezone.localdate(entry.starts_at), []).append(entry)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "events/month.html",
        {
            "month": first,
            "today": today,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
        },
    )
