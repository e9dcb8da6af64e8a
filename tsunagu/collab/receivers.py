"""What collab keeps in the cache (guests.py, header.py), forgotten when what it holds changes."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.events.models import Event
from tsunagu.tenancy.models import Network

from . import guests, header
from .models import CoHost, Link


@receiver([post_save, post_delete], sender=Link)
def _link_changed(sender: type, instance: Link, **kwargs: Any) -> None:
    """A link accepted, ended or given other scopes shows or hides the co-hosted events at the
    next request. Only a link that is or was active ever shared one (a request changes nothing
    here and costs nothing, as the rule against enumeration wants)."""
    if kwargs.get("raw") or instance.accepted_at is None:
        return
    guests.forget(instance.network_id, instance.partner_id)
    header.forget(instance.network_id, instance.partner_id)


@receiver([post_save, post_delete], sender=CoHost)
def _cohost_changed(sender: type, instance: CoHost, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        guests.forget(instance.partner_id)


@receiver([post_save, post_delete], sender=Event)
def _event_changed(sender: type, instance: Event, **kwargs: Any) -> None:
    """A co-hosted event renamed, moved or given another audience: its partners' lists."""
    if kwargs.get("raw"):
        return
    partners = CoHost._base_manager.filter(event_id=instance.pk).values_list(
        "partner_id", flat=True
    )
    guests.forget(*partners)


@receiver([post_save, post_delete], sender=Network)
def _network_changed(sender: type, instance: Network, **kwargs: Any) -> None:
    """A network renamed (its name marks its events elsewhere) or switched on or off."""
    if kwargs.get("raw"):
        return
    sides = Link._base_manager.filter(
        Q(network_id=instance.pk) | Q(partner_id=instance.pk), accepted_at__isnull=False
    ).values_list("network_id", "partner_id")
    ids = [instance.pk, *[pk for pair in sides for pk in pair]]
    guests.forget(*ids)
    header.forget(*ids)
