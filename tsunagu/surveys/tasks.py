"""Invitations when a survey opens, one reminder three days before it closes.

Both go through notify() (in-app, and e-mail for those who keep it on); the digest lists the
open surveys a member is asked and has not answered (digest/content.py).
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_scopes import scope, scopes_disabled

from tsunagu.notify.actions import notify
from tsunagu.tenancy.days import network_zone
from tsunagu.tenancy.models import Network

from .audience import audience_members, frequent_groups
from .batches import write_batch
from .models import Anonymity, Participation, Survey

REMIND_BEFORE = timedelta(days=3)


def survey_url(survey: Survey) -> str:
    return reverse(
        "surveys:answer", kwargs={"network_slug": survey.network.slug, "survey_id": survey.pk}
    )


def _closes(survey: Survey) -> str:
    """Stored as a parameter: formatted once, in the network's zone."""
    with translation.override("ja"):
        return formats.date_format(survey.closes_at.astimezone(network_zone()), "DATETIME_FORMAT")


def _not_answered(survey: Survey) -> list[int]:
    answered = Participation.objects.filter(survey=survey).values("user_id")
    return list(
        audience_members(survey).exclude(user_id__in=answered).values_list("user_id", flat=True)
    )


@shared_task(acks_late=True)
def send_survey_invitations() -> int:
    """Surveys that opened: the audience is counted (the response rate's base) and invited.
    Run by Celery beat every 15 minutes; each survey is claimed through ``invited_at`` first."""
    now = timezone.now()
    with scopes_disabled():
        due = list(
            Survey.objects.filter(
                published=True,
                invited_at__isnull=True,
                opens_at__lte=now,
                closes_at__gt=now,
                network__is_active=True,
            ).values_list("pk", "network_id")
        )
    return sum(invite(network_id, survey_id) for survey_id, network_id in due)


def invite(network_id: int, survey_id: int) -> int:
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    with scope(network=network):
        size = audience_members(Survey.objects.get(pk=survey_id)).count()
        claimed = Survey.objects.filter(
            pk=survey_id, network=network, invited_at__isnull=True
        ).update(invited_at=timezone.now(), audience_size=size)
        if not claimed:
            return 0
        survey = Survey.objects.select_related("network").get(pk=survey_id)
        if survey.is_anonymous:
            Survey.objects.filter(pk=survey_id, groups_at_opening__isnull=True).update(
                groups_at_opening=frequent_groups(survey)
            )
        if survey.is_event_feedback:
            return 0  # the event's follow-up message is its invitation
        user_ids = _not_answered(survey)
        notify(
            network,
            user_ids,
            "survey_invitation",
            params={"title": survey.title, "closes": _closes(survey)},
            url=survey_url(survey),
        )
        return len(user_ids)


@shared_task(acks_late=True)
def send_survey_reminders() -> int:
    """One reminder, three days before a survey closes, to those asked who have not answered.
    Run by Celery beat every hour; claimed through ``reminded_at``. A survey whose invitation
    left less than three days before it closes (a short one, or one published late) sends
    none: the invitation has just said when it closes."""
    now = timezone.now()
    with scopes_disabled():
        due = list(
            Survey.objects.filter(
                published=True,
                invited_at__lte=F("closes_at") - REMIND_BEFORE,
                reminded_at__isnull=True,
                closes_at__gt=now,
                closes_at__lte=now + REMIND_BEFORE,
                network__is_active=True,
            ).values_list("pk", "network_id")
        )
    return sum(remind(network_id, survey_id) for survey_id, network_id in due)


def remind(network_id: int, survey_id: int) -> int:
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    with scope(network=network):
        claimed = Survey.objects.filter(
            pk=survey_id, network=network, reminded_at__isnull=True
        ).update(reminded_at=timezone.now())
        if not claimed:
            return 0
        survey = Survey.objects.select_related("network").get(pk=survey_id)
        user_ids = _not_answered(survey)
        notify(
            network,
            user_ids,
            "survey_reminder",
            params={"title": survey.title, "closes": _closes(survey)},
            url=survey_url(survey),
        )
        return len(user_ids)


@shared_task(acks_late=True)
def write_pending_batch(network_id: int, survey_id: int) -> int:
    """Queued after every anonymous answer and at closing: writes the waiting answers once
    enough of them wait (batches.write_batch)."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    with scope(network=network):
        return write_batch(survey_id)


@shared_task(acks_late=True)
def write_closed_batches() -> int:
    """Run by Celery beat every 15 minutes: the answers still waiting in anonymous surveys that
    have closed are written, whatever their number (and the small groups folded)."""
    now = timezone.now()
    with scopes_disabled():
        due = list(
            Survey.objects.filter(
                anonymity=Anonymity.ANONYMOUS,
                published=True,
                final_batch_written=False,
                closes_at__lte=now,
                network__is_active=True,
            ).values_list("pk", "network_id")
        )
    return sum(write_pending_batch(network_id, survey_id) for survey_id, network_id in due)
