"""What makes the dashboard's hour-by-hour warnings stale: a welcome, an answer, a newcomer.

The measured consultations and newcomers are kept ten minutes (``warnings.measures_for``); a
welcome or a comment forgets them after commit, so the office sees the warning go at once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from tsunagu.boards.models import Comment, Thread
from tsunagu.feed.models import Welcome
from tsunagu.tenancy.models import Membership

from .warnings import forget_live

SENDERS: list[type[Model]] = [Welcome, Comment, Thread, Membership]


def _changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    network_id = instance.network_id
    transaction.on_commit(lambda: forget_live(network_id))


def connect() -> None:
    for sender in SENDERS:
        uid = f"insights-dashboard-{sender._meta.label_lower}"
        post_save.connect(_changed, sender=sender, dispatch_uid=uid)
        post_delete.connect(_changed, sender=sender, dispatch_uid=f"{uid}-delete")
