"""What the event pages keep in the cache follows the rows it comes from. (Every change to an
event's organisers, registrations and photos moves its revision on: declared in apps.py.)"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.core import caching
from tsunagu.core.feedtokens import forget_version
from tsunagu.core.revisions import bump_where
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import naming_changed

from .models import CalendarFeedKey, Event, Organiser, Registration, Series


def series_key(network_id: int) -> str:
    return caching.key("events", "series", network_id)


@receiver(post_save, sender=Series)
@receiver(post_delete, sender=Series)
def forget_series(sender: Any, instance: Series, **kwargs: Any) -> None:
    caching.forget(series_key(instance.network_id))


@receiver(post_save, sender=Membership)
def _member_left_or_returned(
    sender: Any, instance: Membership, created: bool, **kwargs: Any
) -> None:
    """A member who leaves is shown as a former member among the organisers and participants
    of their events (tenancy/names.py), and by name again when they return."""
    if kwargs.get("raw") or not naming_changed(created, kwargs.get("update_fields")):
        return
    bump_where(
        Event,
        Q(pk__in=Organiser._base_manager.filter(membership=instance).values("event_id"))
        | Q(
            pk__in=Registration._base_manager.filter(
                network_id=instance.network_id, user_id=instance.user_id
            ).values("event_id")
        ),
        network_id=instance.network_id,
    )


def organises_key(membership_id: int) -> str:
    """Whether the member organises any event: such a member's event list is their own."""
    return caching.key("events", "organises", membership_id)


def forget_organisers(membership_ids: Any) -> None:
    caching.forget(*[organises_key(pk) for pk in membership_ids])


@receiver([post_save, post_delete], sender=Organiser)
def _organiser_changed(sender: Any, instance: Organiser, **kwargs: Any) -> None:
    forget_organisers([instance.membership_id])


def event_list(network_id: int) -> caching.Namespace:
    """The network's cached pages of the event list (listing.events_page())."""
    return caching.Namespace("events", "list", network_id)


@receiver([post_save, post_delete], sender=Event)
def _event_changed(sender: Any, instance: Event, **kwargs: Any) -> None:
    """A new, edited, called-off or deleted event changes the lists it is on."""
    event_list(instance.network_id).clear()


@receiver([post_save, post_delete], sender=CalendarFeedKey)
def forget_calendar_feed_version(sender: type, instance: CalendarFeedKey, **kwargs: Any) -> None:
    """A key made again starts at 0: the old addresses must not match a stale version."""
    forget_version("events", instance.membership_id)
