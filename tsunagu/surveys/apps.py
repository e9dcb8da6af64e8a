from __future__ import annotations

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "tsunagu.surveys"
    label = "surveys"

    def ready(self) -> None:
        from tsunagu.core.revisions import track_revision

        from . import kinds  # noqa: F401 - registers the notification kinds
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
