"""Every new network starts with a casual room (雑談), so members have somewhere to say hello."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Network


@receiver(post_save, sender=Network)
def create_default_room(sender: type[Network], instance: Network, created: bool, **_: Any) -> None:
    if not created:
        return
    from .actions import ensure_default_room

    with scopes_disabled():
        ensure_default_room(instance)
