"""The running counts of a survey's answers (models.Tally), changed with every response."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count

from .models import MIN_CELL, Answer, GroupTally, Response, Survey, Tally

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
    rebuild_groups(survey)
    Survey.objects.filter(pk=survey.pk).update(tallied=True)


# --- Cross-tabulation counts ----------------------------------------------------------------------

DIMENSIONS = ("role", "left_year", "department")
GroupKey = tuple[str, str, int | None, str]  # dimension, group, question (None: people), key


def groups_of(facts: Mapping[str, Any]) -> dict[str, str]:
    """The group of a respondent in each dimension, as stored: "" when not known."""
    return {d: "" if facts.get(d) in (None, "") else str(facts[d]) for d in DIMENSIONS}


def coarsen(facts: Mapping[str, Any], frequent: Mapping[str, list[str]]) -> dict[str, str]:
    """The groups an anonymous respondent is counted in: their own where at least MIN_CELL of
    the audience shared it when the survey opened, else "" ("other or not known")."""
    return {
        d: group if group in frequent.get(d, ()) else "" for d, group in groups_of(facts).items()
    }


def group_keys(
    facts: Mapping[str, Any], counts: Counter[Key], *, person: int = 0
) -> Counter[GroupKey]:
    out: Counter[GroupKey] = Counter()
    for dimension, group in groups_of(facts).items():
        for (question_id, key), n in counts.items():
            out[(dimension, group, question_id, key)] += n
        if person:
            out[(dimension, group, None, "people")] += person
    return out


def apply_groups(survey: Survey, before: Counter[GroupKey], after: Counter[GroupKey]) -> None:
    """As apply(), for the cross-tabulation counts; the caller holds the survey's row lock."""
    delta = Counter(after)
    delta.subtract(before)
    changed = {key: n for key, n in delta.items() if n}
    if not changed:
        return
    found = {
        (t.dimension, t.group, t.question_id, t.key): t
        for t in GroupTally.objects.filter(
            survey=survey, group__in={g for _d, g, _q, _k in changed}
        )
    }
    update, create = [], []
    for (dimension, group, question_id, key), n in changed.items():
        tally = found.get((dimension, group, question_id, key))
        if tally is None:
            create.append(
                GroupTally(
                    network_id=survey.network_id, survey=survey, question_id=question_id,
                    dimension=dimension, group=group, key=key, count=n,
                )
            )  # fmt: skip
        else:
            tally.count += n
            update.append(tally)
    GroupTally.objects.bulk_update(update, ["count"])
    GroupTally.objects.bulk_create(create)


def rebuild_groups(survey: Survey) -> None:
    """The cross-tabulation counts of a named survey, from its answers and the groups kept on
    each response. An anonymous survey's cannot be counted again (nothing joins an answer to
    any group): they are kept batch by batch (batches.write_batch)."""
    if survey.is_anonymous:
        return
    GroupTally.objects.filter(survey=survey).delete()
    facts = {
        pk: {"role": role, "left_year": year, "department": department}
        for pk, role, year, department in Response.objects.filter(survey=survey).values_list(
            "pk", "role", "left_year", "department"
        )
    }
    rows: dict[Any, list] = {}
    for response_id, *row in Answer.objects.filter(survey=survey).values_list(
        "response_id", "question_id", "choice_id", "is_other", "number", "date", "text"
    ):
        rows.setdefault(response_id, []).append(tuple(row))
    total: Counter[GroupKey] = Counter()
    for response_id, answers in rows.items():
        if response_id in facts:
            total.update(group_keys(facts[response_id], keys_of(answers), person=1))
    apply_groups(survey, Counter(), total)


def fold_small_groups(survey: Survey) -> None:
    """An anonymous survey's cross-tabulation counts once it has closed: a group of fewer than
    MIN_CELL respondents joins "" ("other or not known"), and so do the next smallest until ""
    holds MIN_CELL or more (or everybody). The caller holds the survey's row lock."""
    for dimension in DIMENSIONS:
        people = dict(
            GroupTally.objects.filter(
                survey=survey, dimension=dimension, question__isnull=True, key="people"
            ).values_list("group", "count")
        )
        small = [g for g, n in people.items() if g and n < MIN_CELL]
        pool = people.get("", 0) + sum(people[g] for g in small)
        rest = sorted((n, g) for g, n in people.items() if g and g not in small)
        while 0 < pool < MIN_CELL and rest:
            n, g = rest.pop(0)
            small.append(g)
            pool += n
        if not small:
            continue
        rows = GroupTally.objects.filter(survey=survey, dimension=dimension, group__in=small)
        moved: Counter[GroupKey] = Counter()
        for question_id, key, count in rows.values_list("question_id", "key", "count"):
            moved[(dimension, "", question_id, key)] += count
        rows.delete()
        apply_groups(survey, Counter(), moved)
