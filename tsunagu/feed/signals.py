"""Keeping the home feed's cache and the search index in step with the posts they show.

The apps that own the posts know nothing of the feed: it listens to their saves and deletes.
Rows written with ``update()`` or ``bulk_create()`` send no signal; the counters they change
(comment counts, last activity) are refreshed when the cached stream expires, and bulk-inserted
text is indexed by the ``reindex_search`` command.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.boards.models import Category, Comment, Thread
from tsunagu.events.models import Event
from tsunagu.news.models import Article
from tsunagu.profiles.models import LifeUpdate, Profile
from tsunagu.tenancy.models import Membership

from . import search
from .stream import forget_stream

FEED_SOURCES = (Category, Thread, Comment, Article, Event, LifeUpdate, Membership, Profile)
SEARCHED = (Thread, Comment, Event)  # articles carry their own search_text


def _changed(sender: type, instance: Any, **kwargs: Any) -> None:
    forget_stream(instance.network_id)
    if isinstance(instance, SEARCHED):
        if kwargs.get("signal") is post_delete:
            search.unindex(instance)
        else:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or {"title", "body", "description", "venue", "notes"} & set(
                update_fields
            ):
                search.index(instance)


for _model in FEED_SOURCES:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"feed-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"feed-{_model.__name__}-delete")


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="feed-user-renamed")
def _user_saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    """A renamed member must not keep their old name in the feed."""
    if created:
        return
    with scopes_disabled():
        network_ids = list(
            Membership.objects.filter(user_id=instance.pk).values_list("network_id", flat=True)
        )
    for network_id in network_ids:
        forget_stream(network_id)
