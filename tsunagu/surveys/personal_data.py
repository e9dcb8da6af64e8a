"""Surveys (see privacy/registry.py). Anonymous answers carry no link to anyone: they are
neither exported nor deleted with a person (nothing says whose they are), only the record that
the person answered goes. Named ones are exported and deleted."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tsunagu.core import revisions
from tsunagu.privacy.registry import Erase, Rule, register

from . import tally
from .actions import lock_survey
from .models import Answer, Draft, GroupTally, Participation, Response, Survey

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def _uncount(participation: Participation) -> None:
    """Takes the person of a named survey out of its counts (their response is deleted next)."""
    survey = lock_survey(participation.survey)
    response = Response.objects.filter(survey=survey, user_id=participation.user_id).first()
    if response is None or not survey.tallied:
        return
    facts = {d: getattr(response, d) for d in tally.DIMENSIONS}
    counts = tally.keys_of(
        Answer.objects.filter(response=response).values_list(
            "question_id", "choice_id", "is_other", "number", "date", "text"
        )
    )
    before = tally.group_keys(facts, counts, person=1)
    tally.apply(survey, counts, Counter())
    tally.apply_groups(survey, before, Counter())
    GroupTally.objects.filter(
        survey=survey, group__in={g for _d, g, _q, _k in before if g}, count=0
    ).delete()
    revisions.bump(Survey, survey.pk)  # the counts change by update(): no signal


def forget_participation(rows: QuerySet[Participation], ctx: Context) -> None:
    """Drafts go; a named response leaves the counts (``_uncount``) and is deleted by its own
    rule. An anonymous answer has no link to the person to follow: it stays, counted as
    anonymous data, and only the participation (that they answered) goes."""
    Draft.objects.filter(user_id=ctx.user_id, network_id__in=ctx.network_ids).delete()
    for participation in rows.select_related("survey"):
        if not participation.survey.is_anonymous:
            _uncount(participation)
    rows.delete()


register(
    Rule("surveys.Survey", owner="created_by", erase=Erase.KEEP, why="the survey's author"),
    Rule(
        "surveys.Participation",
        owner="user",
        erase=Erase.DELETE,
        erase_with=forget_participation,
        why="that the person answered (not what): named answers are exported, anonymous ones "
        "name nobody",
        order=30,  # before the named responses and answers go
    ),
    Rule(
        "surveys.Draft",
        owner="user",
        kind="survey_drafts",
        export=("survey__title", "data"),
        erase=Erase.DELETE,
        why="answers the person started and has not sent",
    ),
    Rule(
        "surveys.Response",
        owner="user",
        kind="survey_responses",
        export=("id", "survey__title", "submitted_at"),
        erase=Erase.DELETE,
    ),
    Rule(
        "surveys.Answer",
        owner="response__user",
        kind="survey_answers",
        export=("response_id", "question__text", "choice__label", "number", "text", "date"),
        erase=Erase.DELETE,
        order=40,
    ),
)
