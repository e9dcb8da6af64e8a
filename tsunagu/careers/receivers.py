"""What the careers app keeps in the cache, forgotten when what it holds changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.core import caching

from .access import may_post_key
from .models import CareersSettings


@receiver([post_save, post_delete], sender=CareersSettings)
def forget_members_may_post(sender: type, instance: CareersSettings, **kwargs: Any) -> None:
    """A network that stops letting members post takes the right away at the next request."""
    caching.forget(may_post_key(instance.network_id))
