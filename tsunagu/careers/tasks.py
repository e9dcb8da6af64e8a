"""Scheduled work of opportunities: closing at the deadline, reminding the poster before it."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_scopes import scope, scopes_disabled

from tsunagu.notify.actions import notify

from .listing import forget_lists_of
from .models import Opportunity, State

REMIND_DAYS = 3


@shared_task
def close_due_opportunities() -> int:
    """Marks opportunities whose deadline has passed as closed. The pages do not wait for this:
    they compare the deadline with today, so nobody can answer after it even before this runs."""
    today = timezone.localdate()
    with scopes_disabled():
        due = Opportunity.objects.filter(closed_at__isnull=True, deadline__lt=today)
        # The lists left them out at midnight already; an update sends no signal.
        forget_lists_of(due)
        return due.update(closed_at=timezone.now())


@shared_task
def remind_posters() -> int:
    """Tells each poster, once, that their opportunity closes in three days (or fewer, for one
    posted with a closer deadline)."""
    today = timezone.localdate()
    with scopes_disabled():
        due = list(
            Opportunity.objects.filter(
                state=State.PUBLISHED,
                closed_at__isnull=True,
                reminded_at__isnull=True,
                deadline__gte=today,
                deadline__lte=today + timedelta(days=REMIND_DAYS),
                poster__isnull=False,
                network__is_active=True,
            )
            .select_related("network", "poster")
            .order_by("deadline", "id")[:500]
        )
    sent = 0
    for opportunity in due:
        with scope(network=opportunity.network):
            claimed = Opportunity.objects.filter(
                pk=opportunity.pk, reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if not claimed:
                continue
            assert opportunity.poster is not None  # noqa: S101 - filtered above
            assert opportunity.deadline is not None  # noqa: S101 - filtered above
            notify(
                opportunity.network,
                [opportunity.poster.user_id],
                "careers_deadline",
                params={
                    "title": opportunity.title,
                    "deadline": date_format(opportunity.deadline, "DATE_FORMAT"),
                },
                url=reverse(
                    "careers:answers",
                    kwargs={
                        "network_slug": opportunity.network.slug,
                        "opportunity_id": opportunity.pk,
                    },
                ),
            )
            sent += 1
    return sent
