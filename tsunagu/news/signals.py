"""The cached version of a member's feed addresses goes with their key (an erasure, a member
who left): a key made again starts at 0, and the old addresses must not match a stale entry."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.core import caching

from .access import feed_version_key
from .models import NewsFeedKey


@receiver([post_save, post_delete], sender=NewsFeedKey)
def forget_feed_version(sender: type, instance: NewsFeedKey, **kwargs: Any) -> None:
    caching.forget(feed_version_key(instance.membership_id))
