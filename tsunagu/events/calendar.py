"""iCalendar (RFC 5545) files: one event, or a member's feed for a calendar application."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from tsunagu.core.feedtokens import make_versioned_token, read_versioned_token

from .models import Event

SALT = "tsunagu.events.calendar"


def make_feed_token(user_id: int, network_id: int, version: int = 0) -> str:
    """The secret part of a member's feed addresses (core.feedtokens)."""
    return make_versioned_token(SALT, user_id, network_id, version)


def read_feed_token(token: str) -> tuple[int, int, int] | None:
    """(user id, network id, version), or None for a token that is not one of ours."""
    return read_versioned_token(SALT, token)


def build_calendar(
    name: str,
    events: Iterable[Event],
    *,
    show_online_url_for: Set[int] = frozenset(),
    paths: Mapping[int, str] | None = None,
) -> bytes:
    """The events as an iCalendar file. The meeting URL goes only into the events listed in
    ``show_online_url_for``: a calendar file is easily forwarded. ``paths``: the event's address
    for this reader where it is not its own network's page (a co-hosted event, collab)."""
    cal = Calendar()
    cal.add("prodid", "-//Tsunagu//Events//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = settings.SITE_URL.split("://", 1)[-1]
    stamp = timezone.now().astimezone(UTC)
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.pk}@{host}")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.starts_at.astimezone(UTC))
        item.add("dtend", event.ends_at.astimezone(UTC))
        item.add("summary", event.title)
        item.add("last-modified", event.updated_at.astimezone(UTC))
        url = settings.SITE_URL + ((paths or {}).get(event.pk) or event.get_absolute_url())
        item.add("url", url)
        location = event.venue
        description = [url]
        if event.pk in show_online_url_for and event.online_url:
            location = location or event.online_url
            description.append(event.online_url)
        if location:
            item.add("location", location)
        if event.notes:
            description.append(event.notes)
        item.add("description", "\n\n".join(description))
        # Calendar applications strike a called-off event through rather than keep it.
        item.add("status", "CANCELLED" if event.called_off_at else "CONFIRMED")
        cal.add_component(item)
    return cal.to_ical()
