"""Surveys for tests: made directly, outside any network scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.surveys.models import Choice, Kind, Question, Survey
from tsunagu.tenancy.models import Network


def make_survey(network: Network, *, title: str = "アルムナイ満足度調査", **fields: Any) -> Survey:
    now = timezone.now()
    fields.setdefault("opens_at", now - timedelta(hours=1))
    fields.setdefault("closes_at", now + timedelta(days=14))
    fields.setdefault("published", True)
    with scopes_disabled():
        return Survey.objects.create(network=network, title=title, **fields)


def add_question(
    survey: Survey, text: str, kind: str = Kind.SINGLE, choices: tuple[str, ...] = (), **fields: Any
) -> Question:
    with scopes_disabled():
        position = Question.objects.filter(survey=survey).count() + 1
        question = Question.objects.create(
            network_id=survey.network_id,
            survey=survey,
            text=text,
            kind=kind,
            position=position,
            **fields,
        )
        for n, label in enumerate(choices, 1):
            Choice.objects.create(
                network_id=survey.network_id, question=question, label=label, position=n
            )
    return question


def choice_ids(question: Question) -> list[int]:
    with scopes_disabled():
        return list(Choice.objects.filter(question=question).values_list("pk", flat=True))


def satisfaction_survey(network: Network, **fields: Any) -> tuple[Survey, dict[str, Question]]:
    """A survey with one question of each kind, as the office would write it."""
    survey = make_survey(network, **fields)
    questions = {
        "single": add_question(
            survey, "アルムナイ活動への満足度は?", Kind.SINGLE,
            ("満足", "やや満足", "やや不満", "不満"), required=True,
        ),
        "multiple": add_question(
            survey, "参加したい企画は?(複数可)", Kind.MULTIPLE,
            ("交流会", "勉強会", "社内見学"), allow_other=True,
        ),
        "scale": add_question(survey, "情報発信の頻度は適切ですか?", Kind.SCALE),
        "nps": add_question(survey, "友人にこのネットワークを勧めますか?", Kind.NPS),
        "short": add_question(survey, "現在の業界", Kind.SHORT),
        "long": add_question(survey, "ご意見・ご要望", Kind.LONG),
        "date": add_question(survey, "参加しやすい日", Kind.DATE),
    }  # fmt: skip
    return survey, questions
