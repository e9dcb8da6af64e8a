"""An event's feedback form is a survey of its participants: how was it (1–5), and a comment."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Anonymity, Audience, Kind, Question, Survey

if TYPE_CHECKING:
    from tsunagu.events.models import Event

OPEN_FOR = timedelta(days=14)


def feedback_survey(event: Event) -> Survey | None:
    return Survey.objects.filter(event=event, is_event_feedback=True).first()


@transaction.atomic
def ensure_feedback_survey(event: Event) -> Survey:
    """The event's feedback survey, made when the event has ended (in the site's language)."""
    found = feedback_survey(event)
    if found is not None:
        return found
    with translation.override(settings.LANGUAGE_CODE):
        survey = Survey.objects.create(
            network_id=event.network_id,
            title=_("Feedback: %(title)s") % {"title": event.title},
            anonymity=Anonymity.NAMED,
            audience=Audience.EVENT,
            event=event,
            opens_at=event.ends_at,
            closes_at=event.ends_at + OPEN_FOR,
            published=True,
            is_event_feedback=True,
            created_by_id=event.created_by_id,
        )
        Question.objects.create(
            network_id=event.network_id, survey=survey, position=1, kind=Kind.SCALE,
            text=_("How was it?"), help_text=_("1: poor … 5: excellent"), required=True,
        )  # fmt: skip
        Question.objects.create(
            network_id=event.network_id, survey=survey, position=2, kind=Kind.LONG,
            text=_("Comment"),
        )  # fmt: skip
    return survey


# What the events app asks of its feedback form (events/feedback.py, registered in apps.py).
def open_for(event: Event, network_slug: str) -> str:
    return _answer(ensure_feedback_survey(event), network_slug)


def answer_url(event: Event, network_slug: str) -> str | None:
    survey = feedback_survey(event)
    return _answer(survey, network_slug) if survey is not None else None


def results_url(event: Event, network_slug: str) -> str | None:
    survey = feedback_survey(event)
    if survey is None:
        return None
    return reverse("surveys:results", kwargs={"network_slug": network_slug, "survey_id": survey.pk})


def _answer(survey: Survey, network_slug: str) -> str:
    return reverse("surveys:answer", kwargs={"network_slug": network_slug, "survey_id": survey.pk})
