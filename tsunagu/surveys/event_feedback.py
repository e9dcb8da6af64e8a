"""An event's feedback form is a survey of its participants: how was it (1–5), and a comment."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
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
