"""The running counts of a survey's answers (models.Tally), changed with every response."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count

from .models import Answer, Survey, Tally

Key = tuple[int, str]


def keys_of(rows: Iterable[tuple[int, Any, bool, Any, Any, str]]) -> Counter[Key]:
    """Counts of one response's answers, from (question, choice, is_other, number, date, text)."""
    counts: Counter[Key] = Counter()
    questions = set()
    for question_id, choice_id, is_other, number, day, text in rows:
        questions.add(question_id)
        if is_other:
            counts[(question_id, "o")] += 1
            counts[(question_id, "t")] += 1
        elif choice_id is not None:
            counts[(question_id, f"c:{choice_id}")] += 1
        elif number is not None:
            counts[(question_id, f"v:{number}")] += 1
        elif day is not None:
            counts[(question_id, f"d:{day.isoformat()}")] += 1
        elif text:
            counts[(question_id, "t")] += 1
    for question_id in questions:
        counts[(question_id, "n")] += 1
    return counts


def answer_rows(answers: Iterable[Answer]) -> list[tuple[int, Any, bool, Any, Any, str]]:
    return [(a.question_id, a.choice_id, a.is_other, a.number, a.date, a.text) for a in answers]


def apply(survey: Survey, before: Counter[Key], after: Counter[Key]) -> None:
    """Moves the tallies from one version of a response to the next. The caller holds the
    survey's row lock, so two responses never change the same tally at once."""
    delta = Counter(after)
    delta.subtract(before)
    changed = {key: n for key, n in delta.items() if n}
    if not changed:
        return
    found = {
        (t.question_id, t.key): t
        for t in Tally.objects.filter(survey=survey, question_id__in={q for q, _k in changed})
    }
    update, create = [], []
    for (question_id, key), n in changed.items():
        tally = found.get((question_id, key))
        if tally is None:
            create.append(
                Tally(
                    network_id=survey.network_id,
                    survey=survey,
                    question_id=question_id,
                    key=key,
                    count=n,
                )
            )
        else:
            tally.count += n
            update.append(tally)
    Tally.objects.bulk_update(update, ["count"])
    Tally.objects.bulk_create(create)


def rebuild(survey: Survey) -> None:
    """Counts every answer again (answers written without the tallies, e.g. by a migration).
    The caller holds the survey's row lock."""
    Tally.objects.filter(survey=survey).delete()
    answers = Answer.objects.filter(survey=survey)
    counts: Counter[Key] = Counter()
    grouped = answers.values_list("question_id", "choice_id", "is_other", "number", "date")
    for question_id, choice_id, is_other, number, day, n in grouped.annotate(n=Count("*")):
        # A row without choice, number or date is a written answer (empty ones are not stored).
        for key, m in keys_of([(question_id, choice_id, is_other, number, day, "x")]).items():
            if key[1] != "n":
                counts[key] += n * m
    for question_id, n in answers.values_list("question_id").annotate(
        n=Count("response_id", distinct=True)
    ):
        counts[(question_id, "n")] = n
    Tally.objects.bulk_create(
        Tally(network_id=survey.network_id, survey=survey, question_id=q, key=k, count=n)
        for (q, k), n in counts.items()
        if n
    )
    Survey.objects.filter(pk=survey.pk).update(tallied=True)
