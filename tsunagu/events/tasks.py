from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import formats, timezone, translation
from django_scopes import scope, scopes_disabled

from tsunagu.notify.actions import notify
from tsunagu.tenancy.models import Network

from .feedback import feedback_form
from .models import SEATED, Event, Registration, RegistrationStatus

REMIND_AHEAD = timedelta(hours=24)


@shared_task(acks_late=True)
def send_event_reminders() -> int:
    """Reminds confirmed participants of the events that start within the next 24 hours.

    Run by Celery beat every 15 minutes (``CELERY_BEAT_SCHEDULE``). Each event is claimed by
    setting ``reminded_at`` before anyone is notified, so two runs never remind twice."""
    now = timezone.now()
    with scopes_disabled():  # looks across networks, then works inside each one
        due = list(
            Event.objects.filter(
                reminded_at__isnull=True,
                called_off_at__isnull=True,
                starts_at__gt=now,
                starts_at__lte=now + REMIND_AHEAD,
                network__is_active=True,
            ).values_list("pk", "network_id")
        )
    reminded = 0
    for event_id, network_id in due:
        reminded += remind_event(network_id, event_id)
    return reminded


def remind_event(network_id: int, event_id: int) -> int:
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    with scope(network=network):
        claimed = Event.objects.filter(
            pk=event_id, network=network, reminded_at__isnull=True
        ).update(reminded_at=timezone.now())
        if not claimed:
            return 0
        event = Event.objects.get(pk=event_id)
        user_ids = list(
            Registration.objects.filter(event=event, status__in=SEATED).values_list(
                "user_id", flat=True
            )
        )
        # The time is stored as a parameter, so it is formatted once, in the site's zone.
        with translation.override("ja"):
            when = formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")
        notify(
            network,
            user_ids,
            "event_reminder",
            params={"title": event.title, "when": when},
            url=event.get_absolute_url(),
        )
    from tsunagu.collab.cohosting import notify_partner_members

    # Members of networks co-hosting it applied from their own network (collab).
    told = notify_partner_members(
        event, "event_reminder", SEATED, {"title": event.title, "when": when}
    )
    return len(user_ids) + told


FOLLOW_UP_WITHIN = timedelta(days=2)


@shared_task(acks_late=True)
def send_event_follow_ups() -> int:
    """Thanks the participants of events that ended (within two days) and asks for feedback.

    Run by Celery beat every hour; each event is claimed through ``followed_up_at`` first."""
    now = timezone.now()
    with scopes_disabled():
        due = list(
            Event.objects.filter(
                followed_up_at__isnull=True,
                called_off_at__isnull=True,
                ends_at__lte=now,
                ends_at__gt=now - FOLLOW_UP_WITHIN,
                network__is_active=True,
            ).values_list("pk", "network_id")
        )
    return sum(follow_up_event(network_id, event_id) for event_id, network_id in due)


def follow_up_event(network_id: int, event_id: int) -> int:
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    with scope(network=network):
        claimed = Event.objects.filter(
            pk=event_id, network=network, followed_up_at__isnull=True
        ).update(followed_up_at=timezone.now())
        if not claimed:
            return 0
        event = Event.objects.get(pk=event_id)
        user_ids = list(
            Registration.objects.filter(
                event=event, status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED]
            ).values_list("user_id", flat=True)
        )
        # The follow-up links to the feedback form (a survey of the participants).
        feedback = feedback_form()
        notify(
            network,
            user_ids,
            "event_follow_up",
            params={"title": event.title},
            url=(
                feedback.open(event, network.slug)
                if feedback is not None
                else event.get_absolute_url()
            ),
        )
        return len(user_ids)
