"""Every change to a thread, its comments, stamps or files moves the thread's revision on, so
that the cached HTML of its comment pages (render.py) is never served after it; a change to a
category drops the network's cached list of categories (listing.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import naming_changed

from .listing import forget_categories
from .models import Attachment, Category, Comment, Reaction, Thread


def bump_revision(thread_id: int | None) -> None:
    if thread_id is None:
        return
    with scopes_disabled():  # also from tasks and commands, outside a network's scope
        Thread.objects.filter(pk=thread_id).update(revision=F("revision") + 1)


@receiver([post_save, post_delete], sender=Comment)
@receiver([post_save, post_delete], sender=Reaction)
@receiver([post_save, post_delete], sender=Attachment)
def _part_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    bump_revision(instance.thread_id)


@receiver(post_save, sender=Thread)
def _thread_changed(sender: type, instance: Thread, created: bool, **kwargs: Any) -> None:
    if not created:
        bump_revision(instance.pk)


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
    with scopes_disabled():
        Thread.objects.filter(
            Q(author=instance)
            | Q(pk__in=Comment.objects.filter(author=instance).values("thread_id"))
            | Q(pk__in=Reaction.objects.filter(member=instance).values("thread_id")),
            network_id=instance.network_id,
        ).update(revision=F("revision") + 1)
