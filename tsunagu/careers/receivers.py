"""What the careers app keeps in the cache, forgotten when what it holds changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.core import caching
from tsunagu.profiles.directory import forget_results
from tsunagu.tenancy.cache import forget_membership
from tsunagu.tenancy.models import Membership

from .access import may_post_key
from .models import CareersSettings, OpenTo, Recruiter


@receiver([post_save, post_delete], sender=CareersSettings)
def forget_members_may_post(sender: type, instance: CareersSettings, **kwargs: Any) -> None:
    """A network that stops letting members post takes the right away at the next request."""
    caching.forget(may_post_key(instance.network_id))


@receiver([post_save, post_delete], sender=OpenTo)
def forget_flag_searches(sender: type, instance: OpenTo, **kwargs: Any) -> None:
    """The directory keeps its searches, those filtered by "open to" flags too: a flag set,
    cleared or shown to another audience shows in the next search."""
    forget_results(instance.network_id)


@receiver([post_save, post_delete], sender=Recruiter)
def forget_recruiter_membership(sender: type, instance: Recruiter, **kwargs: Any) -> None:
    """The mark comes with the cached membership (access.recruiter_mark()): a recruiter gains or
    loses the "open to" filter at their next request."""
    user_ids = Membership._base_manager.filter(pk=instance.membership_id).values_list(
        "user_id", flat=True
    )
    for user_id in user_ids:
        forget_membership(instance.network_id, user_id)
