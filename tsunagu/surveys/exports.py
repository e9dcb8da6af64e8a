"""The answers of a survey as a table: one row per response, one column per question.

An anonymous survey's table has no name, no role, no leaving year, no department and no time,
and its rows come in the order of their random keys, not the order people answered in. It holds
the written batches only (batches.py), so two downloads differ by whole batches. Nor is it
given before MIN_CELL people have answered: a row is one person's answers, and the results hide
everything until then.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.core.csvsafe import csv_bytes, csv_safe
from tsunagu.tenancy.models import Role

from .models import MIN_CELL, Answer, Choice, Question, Response, Survey

CHUNK = 5000


def withheld(survey: Survey) -> bool:
    """Whether the answers of the survey may not be exported yet (anonymous, under MIN_CELL
    responses)."""
    return survey.is_anonymous and Response.objects.filter(survey=survey).count() < MIN_CELL


def header(survey: Survey, questions: list[Question]) -> list[str]:
    first = (
        []
        if survey.is_anonymous
        else [_("Name"), _("Role"), _("Leaving year"), _("Department"), _("Answered at")]
    )
    return [*first, *(q.text for q in questions)]


def rows(survey: Survey, questions: list[Question]) -> Iterator[list[Any]]:
    """Rows of answers, read in chunks ordered by the response's random key."""
    labels = dict(Choice.objects.filter(question__survey=survey).values_list("pk", "label"))
    index = {q.pk: n for n, q in enumerate(questions)}
    other = _("Other")
    people: dict[Any, list[Any]] = {}
    if not survey.is_anonymous:
        roles = dict(Role.choices)
        for pk, name, at, role, year, department in Response.objects.filter(
            survey=survey
        ).values_list("pk", "user__name", "submitted_at", "role", "left_year", "department"):
            when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""
            people[pk] = [name or "", str(roles.get(role, role)), year or "", department, when]
    current: Any = None
    cells: list[list[str]] = []

    def finish() -> list[Any]:
        values = [" / ".join(c) for c in cells]
        return [*people.get(current, []), *values] if not survey.is_anonymous else values

    answers = (
        Answer.objects.filter(survey=survey)
        .order_by("response_id")
        .values_list(
            "response_id", "question_id", "choice_id", "is_other", "number", "text", "date"
        )
    )
    for response_id, question_id, choice_id, is_other, number, text, date in answers.iterator(
        chunk_size=CHUNK
    ):
        if response_id != current:
            if current is not None:
                yield finish()
            current, cells = response_id, [[] for _q in questions]
        slot = cells[index[question_id]]
        if choice_id is not None:
            slot.append(labels.get(choice_id, ""))
        elif is_other:
            slot.append(f"{other}: {text}")
        elif number is not None:
            slot.append(str(number))
        elif date is not None:
            slot.append(date.isoformat())
        else:
            slot.append(text)
    if current is not None:
        yield finish()


def csv_file(survey: Survey, encoding: str) -> tuple[bytes, int, int]:
    """The CSV file (``core.csvsafe.csv_bytes``: formula-safe; UTF-8 with a BOM, or CP932 with
    each character it lacks made its equivalent or "?"), its number of answers, and how many
    cells lost a character to "?"."""
    questions = list(Question.objects.filter(survey=survey).order_by("position", "id"))
    count = 0

    def lines() -> Iterator[list[Any]]:
        nonlocal count
        yield header(survey, questions)
        for row in rows(survey, questions):
            count += 1
            yield row

    content, lost = csv_bytes(lines(), encoding)
    return content, count, lost


def xlsx_file(survey: Survey) -> tuple[Any, int]:
    """The workbook in a temporary file (write-only mode keeps one row in memory at a time),
    rewound for streaming; the file goes when it is closed."""
    from openpyxl import Workbook

    questions = list(Question.objects.filter(survey=survey).order_by("position", "id"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Answers")[:31])
    sheet.append(header(survey, questions))
    count = 0
    for row in rows(survey, questions):
        # openpyxl stores a string starting with "=" as a formula: the quote keeps it text.
        sheet.append([csv_safe(v) if isinstance(v, str) else v for v in row])
        count += 1
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    book.save(out)
    out.seek(0)
    return out, count
