"""Anonymous answers are written in batches (see models.py): pending entries become responses and
move the counts only MIN_CELL at a time, or when the survey closes, in one transaction, in
shuffled order, under random keys."""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from tsunagu.core import revisions

from . import tally
from .models import MIN_CELL, Answer, Choice, Pending, Question, Response, Survey

# question, version, choice, is_other, number, date, text
Row = tuple[int, int, Any, bool, Any, Any, str]


@dataclass
class Entry:
    """One response to write: new, an edit, or one of the previous batch written again."""

    edit_key: str
    sealed: str
    answers: list[Row]


def payload_rows(payload: dict[str, Any]) -> list[Row]:
    rows = []
    for question_id, version, choice_id, is_other, number, day, text in payload.get("answers", []):
        date = datetime.date.fromisoformat(day) if day else None
        rows.append((question_id, version, choice_id, bool(is_other), number, date, text or ""))
    return rows


def counted(rows: list[Row]) -> Counter[tally.Key]:
    return tally.keys_of((q, c, o, n, d, t) for q, _v, c, o, n, d, t in rows)


def _rows_of(response_ids: list[Any]) -> dict[Any, list[Row]]:
    out: dict[Any, list[Row]] = {pk: [] for pk in response_ids}
    for response_id, *row in Answer.objects.filter(response_id__in=response_ids).values_list(
        "response_id", "question_id", "version", "choice_id", "is_other", "number", "date", "text"
    ):
        out[response_id].append(tuple(row))  # type: ignore[arg-type]
    return out


def write_batch(survey_id: int) -> int:
    """Writes the survey's pending entries if at least MIN_CELL wait, or all of them once it has
    closed (once: a closed survey takes no more answers). Returns how many entries were
    written."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey_id)
        if not survey.is_anonymous:
            return 0
        closing = survey.is_closed
        if closing and survey.final_batch_written:
            return 0
        pending = list(Pending.objects.filter(survey=survey))
        if len(pending) < MIN_CELL and not closing:
            return 0
        if pending:
            _write(survey, pending)
        if closing:
            # Nothing will be added: the cross-tabulation counts keep no group of fewer than
            # MIN_CELL respondents either (they join "other or not known").
            tally.fold_small_groups(survey)
            Survey.objects.filter(pk=survey.pk).update(final_batch_written=True)
            revisions.bump(Survey, survey.pk)
        return len(pending)


def _write(survey: Survey, pending: list[Pending]) -> None:
    questions = set(Question.objects.filter(survey=survey).values_list("pk", flat=True))
    choices = set(Choice.objects.filter(question__survey=survey).values_list("pk", flat=True))
    before: Counter[tally.Key] = Counter()
    after: Counter[tally.Key] = Counter()
    groups_before: Counter[tally.GroupKey] = Counter()
    groups_after: Counter[tally.GroupKey] = Counter()
    entries: list[Entry] = []
    # Edits of responses already written: the earlier answers leave the counts.
    targets = {
        r.edit_key: r
        for r in Response.objects.filter(
            survey=survey, edit_key__in=[p.edit_key for p in pending if p.replaces]
        )
    }
    earlier = _rows_of([r.pk for r in targets.values()])
    for waiting in pending:
        rows = [
            r
            for r in payload_rows(waiting.payload)
            if r[0] in questions and (r[2] is None or r[2] in choices)
        ]
        groups = waiting.payload.get("groups") or {}
        target = targets.get(waiting.edit_key) if waiting.replaces else None
        if target is not None:
            old = counted(earlier[target.pk])
            before.update(old)
            groups_before.update(tally.group_keys(groups, old))
        new = counted(rows)
        after.update(new)
        groups_after.update(tally.group_keys(groups, new, person=0 if target else 1))
        entries.append(Entry(waiting.edit_key, waiting.payload.get("sealed", ""), rows))
    if targets:
        Response.objects.filter(pk__in=[r.pk for r in targets.values()]).delete()
    last = Response.objects.filter(survey=survey).aggregate(n=Max("batch"))["n"]
    if len(entries) < MIN_CELL and last is not None:
        # Too few for a batch of their own (the survey has closed): the previous batch is
        # written again with them, so that no batch holds fewer than MIN_CELL people. Its
        # counts stay as they are.
        previous = list(
            Response.objects.filter(survey=survey, batch=last).values_list(
                "pk", "edit_key", "sealed"
            )
        )
        rows_of = _rows_of([pk for pk, _key, _sealed in previous])
        entries += [Entry(key, sealed, rows_of[pk]) for pk, key, sealed in previous]
        Response.objects.filter(pk__in=[pk for pk, _key, _sealed in previous]).delete()
    number = (last or 0) + 1
    secrets.SystemRandom().shuffle(entries)
    responses, answers = [], []
    for entry in entries:
        response = Response(
            id=uuid.uuid4(),
            network_id=survey.network_id,
            survey=survey,
            edit_key=entry.edit_key,
            sealed=entry.sealed,
            batch=number,
        )
        responses.append(response)
        for question_id, version, choice_id, is_other, value, day, text in entry.answers:
            answers.append(
                Answer(
                    id=uuid.uuid4(), network_id=survey.network_id, survey_id=survey.pk,
                    response=response, question_id=question_id, version=version,
                    choice_id=choice_id, is_other=is_other, number=value, date=day, text=text,
                )
            )  # fmt: skip
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    if survey.tallied:
        tally.apply(survey, before, after)
        tally.apply_groups(survey, groups_before, groups_after)
    Pending.objects.filter(pk__in=[p.pk for p in pending]).delete()
    revisions.bump(Survey, survey.pk)  # written in bulk: no signal


def write_if_closed(survey: Survey) -> None:
    """What is left of a closed survey, written before its results are read (the beat task
    writes it too, within a quarter of an hour)."""
    if survey.is_anonymous and survey.is_closed and not survey.final_batch_written:
        write_batch(survey.pk)
        survey.revision = Survey.objects.filter(pk=survey.pk).values_list("revision", flat=True)[0]
