"""Surveys (see privacy/registry.py). Anonymous answers carry no link to anyone and are never
exported; named ones are exported and deleted."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tsunagu.privacy.registry import Erase, Rule, register

from .keys import owner_key
from .models import Draft, Participation, Response, Survey

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def forget_participation(rows: QuerySet[Participation], ctx: Context) -> None:
    """Drafts go, and an anonymous response's owner key (an HMAC of the survey and the account)
    is replaced by a random one: nothing can tie it back to the account any more."""
    survey_ids = Survey.objects.filter(network_id__in=ctx.network_ids).values_list("pk", flat=True)
    keys = [owner_key(survey_id, ctx.user_id) for survey_id in survey_ids]
    Draft.objects.filter(owner_key__in=keys).delete()
    for response in Response.objects.filter(owner_key__in=keys, user__isnull=True):
        Response.objects.filter(pk=response.pk).update(owner_key=secrets.token_hex(32))
    rows.delete()


register(
    Rule("surveys.Survey", owner="created_by", erase=Erase.KEEP, why="the survey's author"),
    Rule(
        "surveys.Participation",
        owner="user",
        erase=Erase.DELETE,
        erase_with=forget_participation,
        why="that the person answered (not what): the answers themselves are exported",
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
