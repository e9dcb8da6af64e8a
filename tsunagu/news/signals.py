"""The cached version of a member's feed addresses goes with their key (an erasure, a member
who left): a key made again starts at 0, and the old addresses must not match a stale entry."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.core.feedtokens import forget_version

from .models import NewsFeedKey


@receiver([post_save, post_delete], sender=NewsFeedKey)
def forget_feed_version(sender: type, instance: NewsFeedKey, **kwargs: Any) -> None:
    forget_version("news", instance.membership_id)
