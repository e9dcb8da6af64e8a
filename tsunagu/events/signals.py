"""What the event pages keep in the cache follows the rows it comes from."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import naming_changed

from .models import Event, Organiser, Photo, Registration, Series


def series_key(network_id: int) -> str:
    return f"events:series:v1:{network_id}"


@receiver(post_save, sender=Series)
@receiver(post_delete, sender=Series)
def forget_series(sender: Any, instance: Series, **kwargs: Any) -> None:
    key = series_key(instance.network_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def bump_revision(event_id: int) -> None:
    with scopes_disabled():  # also from tasks and commands, outside a network's scope
        Event.objects.filter(pk=event_id).update(revision=F("revision") + 1)


@receiver([post_save, post_delete], sender=Organiser)
@receiver([post_save, post_delete], sender=Registration)
@receiver([post_save, post_delete], sender=Photo)
def _part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump_revision(instance.event_id)


@receiver(post_save, sender=Membership)
def _member_left_or_returned(
    sender: Any, instance: Membership, created: bool, **kwargs: Any
) -> None:
    """A member who leaves is shown as a former member among the organisers and participants
    of their events (tenancy/names.py), and by name again when they return."""
    if kwargs.get("raw") or not naming_changed(created, kwargs.get("update_fields")):
        return
    with scopes_disabled():
        Event.objects.filter(
            Q(pk__in=Organiser.objects.filter(membership=instance).values("event_id"))
            | Q(
                pk__in=Registration.objects.filter(
                    network_id=instance.network_id, user_id=instance.user_id
                ).values("event_id")
            ),
            network_id=instance.network_id,
        ).update(revision=F("revision") + 1)


def organises_key(membership_id: int) -> str:
    """Whether the member organises any event: such a member's event list is their own."""
    return f"events:organises:v1:{membership_id}"


def forget_organisers(membership_ids: Any) -> None:
    keys = [organises_key(pk) for pk in membership_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


@receiver([post_save, post_delete], sender=Organiser)
def _organiser_changed(sender: Any, instance: Organiser, **kwargs: Any) -> None:
    forget_organisers([instance.membership_id])


def list_version_key(network_id: int) -> str:
    return f"events:list-version:v1:{network_id}"


@receiver([post_save, post_delete], sender=Event)
def _event_changed(sender: Any, instance: Event, **kwargs: Any) -> None:
    """A new, edited, called-off or deleted event changes the lists it is on: their cached
    pages are keyed by this version (listing.events_page())."""
    key = list_version_key(instance.network_id)

    def bump() -> None:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, None)

    bump()
    transaction.on_commit(bump)
