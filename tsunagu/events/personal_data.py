"""Events (see privacy/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from tsunagu.privacy.registry import ALL, Erase, Rule, register

from .models import Registration

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def keep_registrations_as_counts(rows: QuerySet[Registration], ctx: Context) -> None:
    """A place in an event still to come is given up; an event that took place keeps the row
    (attendance and repeat-rate figures count it) without the person's answers."""
    now = timezone.now()
    for registration in rows.select_related("event"):
        if registration.event.starts_at > now:
            registration.delete()
        else:
            registration.answers = []
            registration.save(update_fields=["answers", "updated_at"])


KEPT_REFERENCE = "a reference from the network's own record; the account it names is emptied"

register(
    Rule("events.Series", owner="created_by", erase=Erase.KEEP, why=KEPT_REFERENCE),
    Rule("events.Event", owner="created_by", erase=Erase.KEEP, why=KEPT_REFERENCE),
    Rule("events.Event", owner="presenter", erase=Erase.KEEP, why=KEPT_REFERENCE),
    Rule(
        "events.Organiser",
        owner="membership",
        kind="events_organised",
        export=("event_id", "event__title"),
        erase=Erase.DELETE,
    ),
    Rule(
        "events.Registration",
        owner="user",
        kind="event_registrations",
        export=("event_id", "event__title", "event__starts_at", "status", "answers", "applied_at"),
        erase=Erase.BLANK,
        erase_with=keep_registrations_as_counts,
    ),
    Rule("events.ListVisit", owner="user", erase=Erase.DELETE, why="when the list was last seen"),
    Rule(
        "events.Photo",
        owner="posted_by",
        kind="event_photos",
        export=("event_id", "caption", "created_at"),
        files=("image",),
        erase=Erase.DELETE,
    ),
    Rule("events.Feedback", owner="user", kind="event_feedback", export=ALL, erase=Erase.DELETE),
    Rule(
        "events.CalendarFeedKey",
        owner="membership",
        erase=Erase.DELETE,
        why="the secret of the member's calendar feed address",
    ),
)
