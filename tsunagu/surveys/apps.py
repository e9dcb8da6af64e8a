from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "tsunagu.surveys"
    label = "surveys"

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link
        from tsunagu.events.feedback import FeedbackForm, set_feedback_form

        from . import kinds  # noqa: F401 - registers the notification kinds
        from .event_feedback import answer_url, open_for, results_url

        add_link(Link("surveys", _("Surveys"), 80))
        # An event's feedback form is a survey of its participants.
        set_feedback_form(
            FeedbackForm(open=open_for, answer_url=answer_url, results_url=results_url)
        )
