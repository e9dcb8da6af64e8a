"""A change to a category drops the network's cached list of categories (listing.py); a
member who leaves or returns moves on the threads that name them. (Every change to a thread, its
comments, stamps or files moves the thread's revision on: declared in apps.py.)"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.core.revisions import bump_where
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import naming_changed

from .listing import forget_categories
from .models import Category, Comment, Reaction, Thread


@receiver([post_save, post_delete], sender=Category)
def _category_changed(sender: type, instance: Category, **kwargs: Any) -> None:
    forget_categories(instance.network_id)


@receiver(post_save, sender=Membership)
def _author_left_or_returned(
    sender: type, instance: Membership, created: bool, **kwargs: Any
) -> None:
    """A member who leaves is shown as a former member on every thread they wrote in or
    stamped (tenancy/names.py), and by name again when they return: those pages move on."""
    if kwargs.get("raw") or not naming_changed(created, kwargs.get("update_fields")):
        return
    bump_where(
        Thread,
        Q(author=instance)
        | Q(pk__in=Comment._base_manager.filter(author=instance).values("thread_id"))
        | Q(pk__in=Reaction._base_manager.filter(member=instance).values("thread_id")),
        network_id=instance.network_id,
    )
