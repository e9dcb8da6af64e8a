"""The event list: its pages, shared between readers where the audience rule allows.

The list is the most read page of events. Built by the ORM, its two queries (the page of events
with the audience rule, and the seats of those events) cost about ten times the database's work
in CPU, so they are plain SQL (queries.py), portable between PostgreSQL and SQLite. The rule
is access.VisibleEvents, filter_events_for()'s: this network only, and an audience the member
belongs to unless they operate the network or organise the event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tsunagu.core import caching
from tsunagu.tenancy.models import Membership

from . import queries
from .access import audience_events, audiences_for, visible_events
from .models import Event, Organiser
from .queries import Seats as Seats
from .queries import seats_and_mine as seats_and_mine  # read by the list page
from .signals import event_list, organises_key

# Only what a row shows: the descriptions and reports of thousands of events stay behind.
LIST_FIELDS = (
    "network_id", "title", "category", "starts_at", "ends_at", "venue", "online_url", "fee",
    "capacity", "called_off_at", "created_at", "updated_at", "audience",
)  # fmt: skip


@dataclass
class ListedEvent:
    """An event of a list page as far as the page needs it when the row's HTML is cached: what
    keys the row and what is added around it for the member. ``event`` (the model, with what
    the row shows) is loaded only for rows that are not cached (load_events())."""

    pk: int
    updated_at: datetime
    created_at: datetime
    called_off_at: datetime | None
    seats: int = 0
    my_status: str = ""
    is_new: bool = False
    event: Event | None = None


def load_events(listed: list[ListedEvent]) -> None:
    """Attaches the events whose rows must be drawn (each row shows ``seats`` beside it)."""
    found = Event.objects.only(*LIST_FIELDS).in_bulk([e.pk for e in listed])
    for item in listed:
        item.event = found[item.pk]


WORDS_MAX = 5
PAGE_TIMEOUT = 120
ORGANISES_TIMEOUT = 60 * 60


def page_keys(member: Membership) -> list[str]:
    """What events_page() reads of the cache first, for a view to read with its own entries
    (``found_keys``): the list's version and whether the member organises an event."""
    return [event_list(member.network_id).version_key, organises_key(member.pk)]


def events_page(
    member: Membership,
    *,
    now: datetime,
    past: bool,
    category: str = "",
    words: list[str] | None = None,
    offset: int = 0,
    limit: int = 21,
    found_keys: dict[str, Any] | None = None,
) -> list[ListedEvent]:
    """read_events_page(), kept in the cache for members who see the same list: those of one
    audience who organise nothing and cannot, under the network's list version (moved on by
    every save or delete of one of its events) and the minute, so an event moves to the past
    within a minute of its end.

    ``found_keys``: what the view read of ``page_keys()`` already.

    A shared entry is read by the audience rule alone, never by the rights of the reader who
    happens to build it. Supporters, operators, every member where the network lets members
    create events, and anyone who organises an event (a former supporter may still run one
    outside their audience) read their own list, which adds the events they run."""
    words = (words or [])[:WORDS_MAX]
    shared, organises = event_list(member.network_id), organises_key(member.pk)
    if found_keys is None:
        found_keys = caching.read_many(page_keys(member))
    may_organise = member.is_supporter_or_operator or member.network.members_may_create_events
    if not may_organise:
        may_organise = caching.cached(
            organises,
            lambda: Organiser.objects.filter(membership=member).exists(),
            ORGANISES_TIMEOUT,
            found=found_keys,
        )
    args: dict[str, Any] = {
        "now": now, "past": past, "category": category, "words": words,
        "offset": offset, "limit": limit,
    }  # fmt: skip
    if may_organise:
        return read_events_page(member, **args)
    audiences = sorted(audiences_for(member))
    digest = hashlib.sha256("\x00".join(words).encode()).hexdigest()[:16]
    key = shared.key(
        f"a{'-'.join(audiences)}", int(past), category, digest, offset, limit,
        int(now.timestamp() // 60), found=found_keys,
    )  # fmt: skip
    return caching.cached(
        key, lambda: read_events_page(member, audiences=audiences, **args), PAGE_TIMEOUT
    )


def read_events_page(
    member: Membership,
    *,
    now: datetime,
    past: bool,
    category: str = "",
    words: list[str] | None = None,
    offset: int = 0,
    limit: int = 21,
    audiences: list[str] | None = None,
) -> list[ListedEvent]:
    """``limit`` events of the list from ``offset``: upcoming soonest first, or past latest
    first; each word must appear in the title, description or venue (any case).

    With ``audiences``, the events of those audiences only, whoever reads (a page shared by
    their members); without, the member's own list: their audiences, the events they run, and
    every event for operators (filter_events_for())."""
    rule = visible_events(member) if audiences is None else audience_events(audiences)
    rows = queries.event_page_rows(
        member,
        visible=rule.rule(),
        now=now,
        past=past,
        category=category,
        words=(words or [])[:WORDS_MAX],
        offset=offset,
        limit=limit,
    )
    return [ListedEvent(r.pk, r.updated_at, r.created_at, r.called_off_at) for r in rows]
