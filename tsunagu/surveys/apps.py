from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "tsunagu.surveys"
    label = "surveys"

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link
        from tsunagu.core.revisions import track_revision
        from tsunagu.events.feedback import FeedbackForm, set_feedback_form

        from . import kinds  # noqa: F401 - registers the notification kinds
        from .event_feedback import answer_url, open_for, results_url
        from .models import Choice, Question, Section, Survey, Wording

        # The cached results (results.py) are kept under the survey's revision; responses are
        # written in bulk, and their actions move it on themselves.
        track_revision(
            Survey,
            children={
                Section: "survey_id",
                Question: "survey_id",
                Choice: "question__survey_id",
                Wording: "question__survey_id",
            },
        )
        add_link(Link("surveys", _("Surveys"), 80))
        # An event's feedback form is a survey of its participants.
        set_feedback_form(
            FeedbackForm(open=open_for, answer_url=answer_url, results_url=results_url)
        )
