"""Surveys (see privacy/registry.py). Anonymous answers carry no link to anyone and are never
exported; named ones are exported and deleted."""

from __future__ import annotations

import secrets
from collections import Counter
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tsunagu.core import revisions
from tsunagu.privacy.registry import Erase, Rule, register

from . import tally
from .actions import lock_survey
from .keys import owner_key
from .models import Answer, Draft, GroupTally, Participation, Response, Survey

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def _uncount(participation: Participation) -> None:
    """Takes the person out of the survey's counts: a named response leaves them altogether
    (it is deleted next); an anonymous one stays in the totals but moves to the unknown group
    of each dimension, so no cross-tabulation keeps the person's department or year."""
    survey = lock_survey(participation.survey)
    response = Response.objects.filter(
        survey=survey, owner_key=owner_key(survey.pk, participation.user_id)
    ).first()
    if response is None or not survey.tallied:
        return
    facts = {d: getattr(participation, d) for d in tally.DIMENSIONS}
    counts = tally.keys_of(
        Answer.objects.filter(response=response).values_list(
            "question_id", "choice_id", "is_other", "number", "date", "text"
        )
    )
    before = tally.group_keys(facts, counts, person=1)
    if response.user_id is not None:
        tally.apply(survey, counts, Counter())
        tally.apply_groups(survey, before, Counter())
    else:
        tally.apply_groups(survey, before, tally.group_keys({}, counts, person=1))
        Response.objects.filter(pk=response.pk).update(owner_key=secrets.token_hex(32))
    GroupTally.objects.filter(
        survey=survey, group__in={g for _d, g, _q, _k in before if g}, count=0
    ).delete()
    revisions.bump(Survey, survey.pk)  # the counts change by update(): no signal


def forget_participation(rows: QuerySet[Participation], ctx: Context) -> None:
    """Drafts go; the person leaves the counts (``_uncount``); an anonymous response's owner
    key (an HMAC of the survey and the account) becomes a random one, so nothing ties it back
    to the account any more."""
    survey_ids = Survey.objects.filter(network_id__in=ctx.network_ids).values_list("pk", flat=True)
    Draft.objects.filter(owner_key__in=[owner_key(s, ctx.user_id) for s in survey_ids]).delete()
    for participation in rows.select_related("survey"):
        _uncount(participation)
    rows.delete()


register(
    Rule("surveys.Survey", owner="created_by", erase=Erase.KEEP, why="the survey's author"),
    Rule(
        "surveys.Participation",
        owner="user",
        erase=Erase.DELETE,
        erase_with=forget_participation,
        why="that the person answered (not what): the answers themselves are exported",
        order=30,  # before the named responses and answers go
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
