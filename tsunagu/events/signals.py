"""What the event pages keep in the cache follows the rows it comes from."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Series


def series_key(network_id: int) -> str:
    return f"events:series:v1:{network_id}"


@receiver(post_save, sender=Series)
@receiver(post_delete, sender=Series)
def forget_series(sender: Any, instance: Series, **kwargs: Any) -> None:
    key = series_key(instance.network_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
