"""Scheduled work of news: telling members of articles whose publishing time has come."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .models import Article, State


@shared_task
def announce_due_articles() -> int:
    """Notifies members of scheduled articles that became visible; each one once.

    Visibility itself never waits for this task: lists compare ``published_at`` with the clock.
    """
    from .actions import _announce

    with scopes_disabled():
        due = list(
            Article.objects.filter(
                state=State.PUBLISHED,
                notified_at__isnull=True,
                published_at__lte=timezone.now(),
                network__is_active=True,  # a deactivated network tells nobody anything
            )
            .select_related("network", "author__user")
            .order_by("published_at")[:500]
        )
    for article in due:
        with scope(network=article.network):
            _announce(article)
    return len(due)
