"""The figures of a survey: counts and shares per question, cross-tabulations.

Computed by a few grouped queries over the answers and kept in the cache under the survey's
revision (which moves with every response and every edit of the questions): the next view
after a change computes them again, the others read them.

Anonymous surveys: every count under 5 people, zero included, is hidden (``None``), and enough
other figures with it that the hidden ones cannot be worked out by subtraction from a row's,
a column's or the main results' totals (``protect``); the average and the NPS only when no
count of the question is hidden. The figures read written rows only, so they move batch by
batch (batches.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tsunagu.core import caching

from . import tally
from .models import (
    CHOICE_KINDS,
    MIN_CELL,
    NUMBER_KINDS,
    TEXT_KINDS,
    Answer,
    Choice,
    GroupTally,
    Kind,
    Question,
    Response,
    Survey,
    Tally,
    Wording,
)

TEXTS_SHOWN = 50  # per question on the page; the export holds them all
CACHE_SECONDS = 24 * 60 * 60


@dataclass
class Row:
    label: str
    count: int | None  # None: hidden (fewer than MIN_CELL people)
    percent: float | None


@dataclass
class QuestionResult:
    pk: int
    text: str
    kind: str
    respondents: int | None
    rows: list[Row] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    texts_total: int = 0
    average: float | None = None
    nps: float | None = None
    wordings: list[dict[str, Any]] = field(default_factory=list)
    version: int = 1


@dataclass
class SurveyResults:
    responses: int
    audience_size: int | None
    hidden: bool  # anonymous, and fewer than MIN_CELL responses: nothing is shown
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> float | None:
        if not self.audience_size:
            return None
        return round(100 * self.responses / self.audience_size, 1)


def _key(survey: Survey, *part: object, language: bool = False, zone: bool = False) -> str:
    return caching.key(
        "surveys", "results", survey.pk, survey.revision, *part, language=language, zone=zone
    )


def results_for(survey: Survey) -> SurveyResults:
    return caching.cached(_key(survey, "all"), lambda: compute_results(survey), CACHE_SECONDS)


def _hide(count: int, anonymous: bool) -> int | None:
    # Zero too: "nobody chose X" can tell what every one of a few people chose.
    return None if anonymous and count < MIN_CELL else count


def _suppress(counts: list[int], anonymous: bool, exclusive: bool) -> list[int | None]:
    """Counts with those under MIN_CELL hidden. Where the counts add up to a total the reader
    knows (one answer per person) a single hidden count could be worked out from the others, so
    the smallest shown one is hidden with it."""
    return protect([counts], anonymous, rows_known=exclusive, columns_known=False)[0]


def protect(
    table: list[list[int]], anonymous: bool, *, rows_known: bool, columns_known: bool
) -> list[list[int | None]]:
    """A table of counts with those under MIN_CELL hidden (zero too: "nobody chose X" can tell
    what each of a few people chose), and enough others with them that no hidden count can be
    worked out from the totals a reader knows: each row's (``rows_known``: one answer per
    person, and the row's people are shown) and each column's (``columns_known``: the main
    results give the column's count over everybody). A row or column with a hidden count then
    holds a second hidden one, or nothing shown at all."""
    shown: list[list[int | None]] = [[_hide(c, anonymous) for c in row] for row in table]
    if not anonymous:
        return shown
    lines: list[list[tuple[int, int]]] = []
    if rows_known:
        lines += [[(r, c) for c in range(len(row))] for r, row in enumerate(table)]
    if columns_known and table:
        lines += [[(r, c) for r in range(len(table))] for c in range(len(table[0]))]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if shown[cell[0]][cell[1]] is None]
            if len(hidden) != 1:
                continue
            candidates = sorted((table[r][c], r, c) for r, c in line if shown[r][c] is not None)
            if candidates:
                _count, r, c = candidates[0]
                shown[r][c] = None
                changed = True
    return shown


def ensure_tallied(survey: Survey) -> None:
    """Counts the answers of a survey that were written around the actions (a migration)."""
    if survey.tallied:
        return
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if not locked.tallied:
            tally.rebuild(locked)


def compute_results(survey: Survey) -> SurveyResults:
    anonymous = survey.is_anonymous
    questions = list(Question.objects.filter(survey=survey).order_by("position", "id"))
    choices = defaultdict(list)
    for choice in Choice.objects.filter(question__survey=survey).order_by("position", "id"):
        choices[choice.question_id].append(choice)
    wordings = defaultdict(list)
    for wording in Wording.objects.filter(question__survey=survey):
        wordings[wording.question_id].append(
            {
                "version": wording.version,
                "text": wording.text,
                "choices": wording.choices,
                "replaced_at": wording.replaced_at,
            }
        )
    responses = Response.objects.filter(survey=survey).count()
    ensure_tallied(survey)
    # The running counts (tally.py): a few rows per question, whatever the number of answers.
    by_choice: dict[int, dict[Any, int]] = defaultdict(dict)
    respondents: dict[int, int] = {}
    texts_of: dict[int, int] = {}
    dates: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    for question_id, key, n in Tally.objects.filter(survey=survey, count__gt=0).values_list(
        "question_id", "key", "count"
    ):
        kind, _sep, value = key.partition(":")
        if kind == "n":
            respondents[question_id] = n
        elif kind == "t":
            texts_of[question_id] = n
        elif kind == "o":
            by_choice[question_id]["other"] = n
        elif kind == "c" or kind == "v":
            by_choice[question_id][int(value)] = n
        elif kind == "d":
            dates[question_id].append((datetime.date.fromisoformat(value), n))
    for question_id in dates:
        dates[question_id].sort()
    hidden = anonymous and responses < MIN_CELL
    out = []
    for question in questions:
        n = respondents.get(question.pk, 0)
        result = QuestionResult(
            pk=question.pk,
            text=question.text,
            kind=question.kind,
            respondents=_hide(n, anonymous),
            wordings=wordings.get(question.pk, []),
            version=question.version,
        )
        counts = by_choice.get(question.pk, {})
        labels: list[tuple[str, int]] = []
        if question.kind in CHOICE_KINDS:
            labels = [(c.label, counts.get(c.pk, 0)) for c in choices[question.pk]]
            if question.allow_other:
                labels.append(("__other__", counts.get("other", 0)))
        elif question.kind in NUMBER_KINDS:
            low, high = NUMBER_KINDS[question.kind]
            labels = [(str(v), counts.get(v, 0)) for v in range(low, high + 1)]
            total = sum(counts.get(v, 0) for v in range(low, high + 1))
            # With a count hidden the average (and the NPS) would be one more equation to work
            # the hidden counts out from: shown only when every count is.
            every_count_shown = not anonymous or all(
                counts.get(v, 0) >= MIN_CELL for v in range(low, high + 1)
            )
            if total and every_count_shown:
                result.average = round(
                    sum(v * counts.get(v, 0) for v in range(low, high + 1)) / total, 2
                )
                if question.kind == Kind.NPS:
                    promoters = counts.get(9, 0) + counts.get(10, 0)
                    detractors = sum(counts.get(v, 0) for v in range(0, 7))
                    result.nps = round(100 * (promoters - detractors) / total, 1)
        elif question.kind == Kind.DATE:
            labels = [(day.isoformat(), c) for day, c in dates.get(question.pk, [])]
        exclusive = question.kind != Kind.MULTIPLE
        shown = _suppress([c for _label, c in labels], anonymous, exclusive)
        for (label, _count), count in zip(labels, shown, strict=True):
            percent = round(100 * count / n, 1) if count is not None and n else None
            result.rows.append(Row(label, count, percent))
        if question.kind in TEXT_KINDS or question.allow_other:
            result.texts_total = texts_of.get(question.pk, 0)
            if result.texts_total and not (anonymous and result.texts_total < MIN_CELL):
                # Ordered by the answer's random key (index surveys_answer_texts), never the
                # order people answered in.
                texts = Answer.objects.filter(survey=survey, question=question).exclude(text="")
                result.texts = list(
                    texts.order_by("id").values_list("text", flat=True)[:TEXTS_SHOWN]
                )
        if hidden:
            result.rows, result.texts, result.average, result.nps = [], [], None, None
        out.append(result)
    return SurveyResults(
        responses=responses, audience_size=survey.audience_size, hidden=hidden, questions=out
    )


# --- Cross-tabulation -----------------------------------------------------------------------------

BY_FIELDS = ("role", "left_year", "department")


@dataclass
class Crosstab:
    question_pk: int
    text: str
    columns: list[str]  # the options
    groups: list[tuple[Any, int | None, list[int | None]]]  # group, people, counts
    hidden_groups: int = 0  # groups under MIN_CELL, pooled or left out


def crosstab_for(survey: Survey, by: str) -> list[Crosstab]:
    return caching.cached(
        _key(survey, "x", by), lambda: compute_crosstab(survey, by), CACHE_SECONDS
    )


def compute_crosstab(survey: Survey, by: str) -> list[Crosstab]:
    """Each choice and scale question broken down by the respondents' role, leaving year or
    department (as they stood when they first answered), read from the group counts
    (tally.GroupTally): no response row says whose group it is.

    Anonymous surveys: a group of fewer than MIN_CELL respondents is never shown on its own;
    such groups are pooled as "Other groups", and if the pool is itself under MIN_CELL the next
    smallest groups join it until it is not (or it is left out when nothing is left to join),
    so the overall figures minus the shown groups never single anybody out."""
    anonymous = survey.is_anonymous
    ensure_tallied(survey)
    questions = [
        q
        for q in Question.objects.filter(survey=survey).order_by("position", "id")
        if q.kind in CHOICE_KINDS or q.kind in NUMBER_KINDS
    ]
    choices = defaultdict(list)
    for choice in Choice.objects.filter(question__survey=survey).order_by("position", "id"):
        choices[choice.question_id].append(choice)
    people: dict[Any, int] = {}
    counts: dict[tuple[int, Any], dict[Any, int]] = defaultdict(dict)
    for question_id, group, key, n in GroupTally.objects.filter(
        survey=survey, dimension=by, count__gt=0
    ).values_list("question_id", "group", "key", "count"):
        if question_id is None:
            people[group] = n
            continue
        kind, _sep, value = key.partition(":")
        if kind == "o":
            counts[(question_id, group)]["other"] = n
        elif kind in ("c", "v"):
            counts[(question_id, group)][int(value)] = n
    # Which groups are shown: the same for every question.
    order = sorted(people, key=lambda g: (g == "", g))
    shown = [g for g in order if not anonymous or people[g] >= MIN_CELL]
    small = [g for g in order if g not in shown]
    pool = list(small)
    if anonymous and pool and sum(people[g] for g in pool) < MIN_CELL:
        for g in sorted(shown, key=lambda g: people[g]):
            shown.remove(g)
            pool.append(g)
            if sum(people[p] for p in pool) >= MIN_CELL:
                break
    pool_size = sum(people[g] for g in pool)
    show_pool = bool(pool) and (not anonymous or pool_size >= MIN_CELL)
    out = []
    for question in questions:
        if question.kind in CHOICE_KINDS:
            slots: list[Any] = [c.pk for c in choices[question.pk]]
            columns = [c.label for c in choices[question.pk]]
            if question.allow_other:
                slots.append("other")
                columns.append("__other__")
        else:
            low, high = NUMBER_KINDS[question.kind]
            slots = list(range(low, high + 1))
            columns = [str(v) for v in slots]
        exclusive = question.kind != Kind.MULTIPLE
        labels: list[Any] = []
        table: list[list[int]] = []
        for g in shown:
            labels.append((g, people[g]))
            table.append([counts[(question.pk, g)].get(s, 0) for s in slots])
        if show_pool:
            labels.append(("__pool__", pool_size))
            table.append([sum(counts[(question.pk, g)].get(s, 0) for g in pool) for s in slots])
        # The rows shown add up to the main results' counts: a hidden cell of a column must
        # not be their difference from the others.
        cells = protect(table, anonymous, rows_known=exclusive, columns_known=True)
        groups: list[tuple[Any, int | None, list[int | None]]] = [
            (g, n, row) for (g, n), row in zip(labels, cells, strict=True)
        ]
        out.append(Crosstab(question.pk, question.text, columns, groups, hidden_groups=len(pool)))
    return out


def cached_page(survey: Survey, part: str, build: Any) -> str:
    """A rendered part of a results page, kept under the survey's revision, the language and the
    time zone its times are shown in (the charts are drawn once per revision, not per view)."""
    return caching.cached(
        _key(survey, "html", part, language=True, zone=True), build, CACHE_SECONDS
    )
