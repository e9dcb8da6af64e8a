"""Every write of surveys."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import AuditAction, record
from tsunagu.core import revisions
from tsunagu.core.queue import queue_after_commit
from tsunagu.tenancy.models import Membership

from . import tally
from .access import (
    check_create_survey_permission,
    check_manage_survey_permission,
    has_answered,
)
from .audience import frequent_groups, group_facts, in_audience
from .keys import edit_key, new_token, seal, unseal, valid_token
from .models import (
    CHOICE_KINDS,
    MAX_CHOICES,
    MAX_QUESTIONS,
    NUMBER_KINDS,
    OTHER_TEXT_MAX,
    TEXT_KINDS,
    Answer,
    Choice,
    Draft,
    Kind,
    Participation,
    Pending,
    Question,
    Response,
    Section,
    Survey,
    Wording,
)

SURVEY_FIELDS = (
    "title", "description", "anonymity", "audience", "left_from", "left_to", "department",
    "event", "opens_at", "closes_at", "results_for_respondents",
)  # fmt: skip


def lock_survey(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().select_related("network").get(pk=survey.pk)


def has_responses(survey: Survey) -> bool:
    """Whether anybody has answered (an anonymous answer may still wait for its batch)."""
    return Participation.objects.filter(survey=survey).exists() or (
        Response.objects.filter(survey=survey).exists()
    )


@transaction.atomic
def do_create_survey(member: Membership, data: dict[str, Any]) -> Survey:
    check_create_survey_permission(member)
    survey = Survey(network=member.network, created_by=member.user)
    for name in SURVEY_FIELDS:
        if name in data:
            setattr(survey, name, data[name])
    survey.save()
    return survey


@transaction.atomic
def do_update_survey(member: Membership, survey: Survey, data: dict[str, Any]) -> Survey:
    survey = lock_survey(survey)
    check_manage_survey_permission(member, survey)
    answered = has_responses(survey)
    if answered and data.get("anonymity", survey.anonymity) != survey.anonymity:
        raise ValidationError(
            {"anonymity": _("People have answered already: the anonymity can no longer change.")}
        )
    if answered and (
        data.get("audience", survey.audience) != survey.audience
        or data.get("event", survey.event) != survey.event
    ):
        raise ValidationError(
            {"audience": _("People have answered already: who is asked can no longer change.")}
        )
    closes = data.get("closes_at", survey.closes_at)
    if survey.is_closed and closes > survey.closes_at:
        # Opened again, its results could be compared before and after the answers that came
        # in between: in an anonymous survey, those of the few who answered late.
        raise ValidationError(
            {"closes_at": _("The survey has closed: its closing time can no longer move later.")}
        )
    for name in SURVEY_FIELDS:
        if name in data:
            setattr(survey, name, data[name])
    survey.save()
    return survey


@transaction.atomic
def do_publish_survey(member: Membership, survey: Survey) -> Survey:
    survey = lock_survey(survey)
    check_manage_survey_permission(member, survey)
    if survey.published:
        return survey
    if not Question.objects.filter(survey=survey).exists():
        raise ValidationError(_("Add at least one question before publishing."))
    if survey.closes_at <= timezone.now():
        raise ValidationError(_("The closing time has passed: set a later one first."))
    survey.published = True
    survey.save(update_fields=["published"])
    if survey.opens_at <= timezone.now():
        from .tasks import send_survey_invitations

        queue_after_commit(send_survey_invitations)
    return survey


@transaction.atomic
def do_close_now(member: Membership, survey: Survey) -> Survey:
    survey = lock_survey(survey)
    check_manage_survey_permission(member, survey)
    now = timezone.now()
    if survey.closes_at > now:
        survey.closes_at = max(now, survey.opens_at + datetime.timedelta(seconds=1))
        survey.save(update_fields=["closes_at"])
    if survey.is_anonymous:
        from .tasks import write_pending_batch

        queue_after_commit(write_pending_batch, survey.network_id, survey.pk)
    return survey


# --- Questions ------------------------------------------------------------------------------------


def _question_answered(question: Question) -> bool:
    # Answers waiting for their batch are not searched through: any of them counts.
    return (
        Answer.objects.filter(question=question).exists()
        or Pending.objects.filter(survey_id=question.survey_id).exists()
    )


def _clean_choices(kind: str, labels: list[str]) -> list[str]:
    labels = [label.strip()[:200] for label in labels if label.strip()]
    if kind in CHOICE_KINDS and len(labels) < 2:
        raise ValidationError({"choices": _("Give at least two options, one a line.")})
    if len(labels) > MAX_CHOICES:
        raise ValidationError({"choices": _("At most 30 options.")})
    return labels if kind in CHOICE_KINDS else []


@transaction.atomic
def do_add_section(member: Membership, survey: Survey, title: str, description: str) -> Section:
    survey = lock_survey(survey)
    check_manage_survey_permission(member, survey)
    last = Section.objects.filter(survey=survey).order_by("-position").first()
    section = Section.objects.create(
        network_id=survey.network_id,
        survey=survey,
        title=title,
        description=description,
        position=(last.position + 1) if last else 1,
    )
    return section


@transaction.atomic
def do_add_question(
    member: Membership, survey: Survey, data: dict[str, Any], labels: list[str]
) -> Question:
    survey = lock_survey(survey)
    check_manage_survey_permission(member, survey)
    if Question.objects.filter(survey=survey).count() >= MAX_QUESTIONS:
        raise ValidationError(_("A survey holds at most 100 questions."))
    labels = _clean_choices(data["kind"], labels)
    last = Question.objects.filter(survey=survey).order_by("-position").first()
    question = Question.objects.create(
        network_id=survey.network_id,
        survey=survey,
        section=data.get("section"),
        position=data.get("position") or ((last.position + 1) if last else 1),
        kind=data["kind"],
        text=data["text"],
        help_text=data.get("help_text", ""),
        required=data.get("required", False),
        allow_other=data.get("allow_other", False) and data["kind"] in CHOICE_KINDS,
    )
    Choice.objects.bulk_create(
        Choice(network_id=survey.network_id, question=question, label=label, position=n)
        for n, label in enumerate(labels, 1)
    )
    return question


@transaction.atomic
def do_update_question(
    member: Membership, question: Question, data: dict[str, Any], labels: list[str]
) -> Question:
    """Once a question has answers its type stays and its options are only renamed or added;
    a changed wording is kept as a new version, the earlier one shown beside the results."""
    survey = lock_survey(question.survey)
    check_manage_survey_permission(member, survey)
    question = Question.objects.select_for_update().get(pk=question.pk)
    answered = _question_answered(question)
    if answered and data["kind"] != question.kind:
        raise ValidationError(
            {"kind": _("People have answered this question: its type can no longer change.")}
        )
    labels = _clean_choices(data["kind"], labels)
    existing = list(Choice.objects.filter(question=question))
    if answered and question.kind in CHOICE_KINDS and len(labels) < len(existing):
        raise ValidationError(
            {
                "choices": _(
                    "People have answered this question: options can be renamed or added, "
                    "not removed."
                )
            }
        )
    wording_changed = (
        data["text"] != question.text or data.get("help_text", "") != question.help_text
    )
    earlier_labels = [c.label for c in existing]
    # Renamed or added options change what the earlier respondents were offered.
    options_changed = question.kind in CHOICE_KINDS and labels != earlier_labels
    if answered and (wording_changed or options_changed):
        Wording.objects.create(
            network_id=question.network_id,
            question=question,
            version=question.version,
            text=question.text,
            help_text=question.help_text,
            choices=earlier_labels if options_changed else [],
        )
        question.version += 1
    question.text = data["text"]
    question.help_text = data.get("help_text", "")
    question.kind = data["kind"]
    question.required = data.get("required", False)
    question.allow_other = data.get("allow_other", False) and data["kind"] in CHOICE_KINDS
    question.section = data.get("section")
    if data.get("position"):
        question.position = data["position"]
    question.save()
    for choice, label in zip(existing, labels, strict=False):
        if choice.label != label:
            choice.label = label
            choice.save(update_fields=["label"])
    if len(labels) > len(existing):
        Choice.objects.bulk_create(
            Choice(network_id=question.network_id, question=question, label=label, position=n)
            for n, label in enumerate(labels[len(existing) :], len(existing) + 1)
        )
    elif len(labels) < len(existing):
        Choice.objects.filter(pk__in=[c.pk for c in existing[len(labels) :]]).delete()
    return question


@transaction.atomic
def do_delete_question(member: Membership, question: Question) -> None:
    survey = lock_survey(question.survey)
    check_manage_survey_permission(member, survey)
    if _question_answered(question):
        raise ValidationError(_("People have answered this question: it can no longer be deleted."))
    question.delete()


@transaction.atomic
def do_copy_survey(member: Membership, source: Survey) -> Survey:
    """A new draft with the questions of an earlier survey; it opens now, for as long."""
    check_create_survey_permission(member)
    now = timezone.now()
    copy = Survey.objects.create(
        network=member.network,
        title=_("Copy of %(title)s") % {"title": source.title},
        description=source.description,
        anonymity=source.anonymity,
        audience=source.audience,
        left_from=source.left_from,
        left_to=source.left_to,
        department=source.department,
        event=source.event,
        opens_at=now,
        closes_at=now + max(source.closes_at - source.opens_at, datetime.timedelta(days=1)),
        results_for_respondents=source.results_for_respondents,
        copied_from=source,
        created_by=member.user,
    )
    sections = {}
    for section in Section.objects.filter(survey=source):
        sections[section.pk] = Section.objects.create(
            network=copy.network,
            survey=copy,
            title=section.title,
            description=section.description,
            position=section.position,
        )
    for question in Question.objects.filter(survey=source).prefetch_related("choices"):
        new = Question.objects.create(
            network=copy.network,
            survey=copy,
            section=sections.get(question.section_id) if question.section_id else None,
            position=question.position,
            kind=question.kind,
            text=question.text,
            help_text=question.help_text,
            required=question.required,
            allow_other=question.allow_other,
        )
        Choice.objects.bulk_create(
            Choice(network=copy.network, question=new, label=c.label, position=c.position)
            for c in question.choices.all()
        )
    return copy


# --- Answering ------------------------------------------------------------------------------------


@dataclass
class Given:
    """One question's answer, parsed by the form."""

    choice_ids: list[int] = field(default_factory=list)
    other: str = ""
    number: int | None = None
    text: str = ""
    date: datetime.date | None = None

    @property
    def empty(self) -> bool:
        return (
            not self.choice_ids
            and not self.other
            and self.number is None
            and not self.text
            and self.date is None
        )


def check_answer_permission(member: Membership, survey: Survey) -> None:
    if survey.network_id != member.network_id:
        raise PermissionDenied
    if not survey.is_open:
        raise ValidationError(_("This survey is not open for answers."))
    if not in_audience(member, survey):
        raise PermissionDenied


def validate_given(questions: list[Question], given: dict[int, Given]) -> None:
    """The rules again, below the form: a caller that builds ``given`` itself (a test, an API)
    cannot store an answer the form would refuse."""
    by_id = {q.pk: q for q in questions}
    for question_id, value in given.items():
        question = by_id.get(question_id)
        if question is None:
            raise ValidationError(_("An answer is for a question of another survey."))
        choice_ids = {c.pk for c in question.choices.all()}
        if value.choice_ids and (
            question.kind not in CHOICE_KINDS or not set(value.choice_ids) <= choice_ids
        ):
            raise ValidationError(_("Choose one of the options given."))
        if question.kind == Kind.SINGLE and len(value.choice_ids) + bool(value.other) > 1:
            raise ValidationError(_("Choose one of the options given."))
        if value.other and not question.allow_other:
            raise ValidationError(_("This question has no “Other” option."))
        if len(value.other) > OTHER_TEXT_MAX:
            raise ValidationError(_("The “Other” text is too long."))
        if value.number is not None:
            low, high = NUMBER_KINDS.get(question.kind, (1, 0))
            if not low <= value.number <= high:
                raise ValidationError(_("The value is outside the scale."))
        if value.text and (
            question.kind not in TEXT_KINDS or len(value.text) > TEXT_KINDS[question.kind]
        ):
            raise ValidationError(_("The text is too long."))
    for question in questions:
        if question.required and (question.pk not in given or given[question.pk].empty):
            raise ValidationError(_("Answer every required question."))


def _answers(
    survey: Survey, response: Response, questions: list[Question], given: dict[int, Given]
):
    versions = {q.pk: q.version for q in questions}
    for question_id, value in given.items():
        common = {
            "network_id": survey.network_id,
            "survey_id": survey.pk,
            "response": response,
            "question_id": question_id,
            "version": versions[question_id],
        }
        for choice_id in value.choice_ids:
            yield Answer(choice_id=choice_id, **common)
        if value.other:
            yield Answer(is_other=True, text=value.other, **common)
        if value.number is not None:
            yield Answer(number=value.number, **common)
        if value.text:
            yield Answer(text=value.text, **common)
        if value.date is not None:
            yield Answer(date=value.date, **common)


@dataclass
class Submitted:
    """What a submit did: ``created`` a first response (else changed the member's own);
    anonymous surveys: the edit token the member holds for it."""

    created: bool
    edit_token: str | None = None


class AlreadyAnswered(ValidationError):
    """An anonymous survey the member has answered, changed without its edit token."""


def do_submit_response(
    member: Membership,
    survey: Survey,
    given: dict[int, Given],
    *,
    edit_tokens: tuple[str, ...] = (),
) -> Submitted:
    """Stores the member's response, or replaces it when they answered before (until the survey
    closes).

    Two submits at once (two tabs, a double click) make one response: the survey's row lock
    serialises them and the participation row is unique per member and survey; the second one
    then replaces the answers of the first (a named survey, or an anonymous one sent with the
    same edit token) or is refused (an anonymous one without it).

    Anonymous surveys (see models.py): the answers wait as a pending entry until a batch writes
    them. ``edit_tokens`` are the tokens the request carries (the cookie, the form's), tried in
    order; a first answer takes the first valid one, or a new one.
    """
    check_answer_permission(member, survey)
    questions = list(Question.objects.filter(survey=survey).prefetch_related("choices"))
    given = {k: v for k, v in given.items() if not v.empty}
    validate_given(questions, given)
    if survey.is_anonymous:
        return _submit_anonymous(member, survey, questions, given, edit_tokens)
    facts = group_facts(member)
    with transaction.atomic():
        survey = lock_survey(survey)  # also serialises the revision counter
        if not survey.is_open:
            raise ValidationError(_("This survey is not open for answers."))
        _participation, created = Participation.objects.get_or_create(
            survey=survey, user_id=member.user_id, defaults={"network_id": survey.network_id}
        )
        response = Response.objects.filter(survey=survey, user_id=member.user_id).first()
        before = tally.keys_of(
            Answer.objects.filter(response=response).values_list(
                "question_id", "choice_id", "is_other", "number", "date", "text"
            )
            if response is not None
            else []
        )
        new_response = response is None
        if response is None:
            response = Response.objects.create(
                network_id=survey.network_id,
                survey=survey,
                user_id=member.user_id,
                submitted_at=timezone.now(),
                role=facts["role"] or "",
                left_year=facts["left_year"],
                department=facts["department"],
            )
        else:
            # Answered before: their answers stay counted in the groups of their first answer.
            facts = {d: getattr(response, d) for d in tally.DIMENSIONS}
            Answer.objects.filter(response=response).delete()
            Response.objects.filter(pk=response.pk).update(submitted_at=timezone.now())
        new_answers = Answer.objects.bulk_create(_answers(survey, response, questions, given))
        if survey.tallied:
            after = tally.keys_of(tally.answer_rows(new_answers))
            tally.apply(survey, before, after)
            tally.apply_groups(
                survey,
                tally.group_keys(facts, before),
                tally.group_keys(facts, after, person=1 if new_response else 0),
            )
        Draft.objects.filter(survey=survey, user_id=member.user_id).delete()
        revisions.bump(Survey, survey.pk)  # answers are written in bulk: no signal
    return Submitted(created=created)


def _payload_answers(questions: list[Question], given: dict[int, Given]) -> list[list[Any]]:
    versions = {q.pk: q.version for q in questions}
    rows: list[list[Any]] = []
    for question_id, value in given.items():
        version = versions[question_id]
        for choice_id in value.choice_ids:
            rows.append([question_id, version, choice_id, False, None, None, ""])
        if value.other:
            rows.append([question_id, version, None, True, None, None, value.other])
        if value.number is not None:
            rows.append([question_id, version, None, False, value.number, None, ""])
        if value.text:
            rows.append([question_id, version, None, False, None, None, value.text])
        if value.date is not None:
            rows.append([question_id, version, None, False, None, value.date.isoformat(), ""])
    return rows


def own_anonymous(survey: Survey, edit_tokens: tuple[str, ...]) -> tuple[str, Any] | None:
    """The token among those given that opens an anonymous response of the survey, with what it
    opens: the pending entry (first) or the written response."""
    for token in edit_tokens:
        if not valid_token(token):
            continue
        key = edit_key(token)
        entry = Pending.objects.filter(survey=survey, edit_key=key).first()
        if entry is not None:
            return token, entry
        response = Response.objects.filter(survey=survey, edit_key=key).first()
        if response is not None:
            return token, response
    return None


def _submit_anonymous(
    member: Membership,
    survey: Survey,
    questions: list[Question],
    given: dict[int, Given],
    edit_tokens: tuple[str, ...],
) -> Submitted:
    rows = _payload_answers(questions, given)
    facts = group_facts(member)
    with transaction.atomic():
        survey = lock_survey(survey)
        if not survey.is_open:
            raise ValidationError(_("This survey is not open for answers."))
        answered = Participation.objects.filter(survey=survey, user_id=member.user_id).exists()
        found = own_anonymous(survey, edit_tokens) if answered else None
        if answered and found is None:
            raise AlreadyAnswered(
                _(
                    "You have answered this survey already. Your answers can be changed only on "
                    "the device you answered on, or through the link to change your answers."
                )
            )
        if found is not None:
            token, mine = found
            if isinstance(mine, Pending):
                # Not written yet: the entry waiting for its batch takes the new answers.
                mine.payload = {**mine.payload, "answers": rows}
                mine.save(update_fields=["payload"])
            else:
                # Written: the change waits for the next batch, counted in the same groups.
                groups = unseal(mine.sealed, token) or {}
                Pending.objects.create(
                    network_id=survey.network_id,
                    survey=survey,
                    edit_key=mine.edit_key,
                    replaces=True,
                    payload={"answers": rows, "groups": groups, "sealed": seal(groups, token)},
                )
            created = False
        else:
            # The form's token, unless it already opens answers (then it is not theirs to use).
            fresh = [t for t in edit_tokens if valid_token(t) and not own_anonymous(survey, (t,))]
            token = fresh[0] if fresh else new_token()
            if survey.groups_at_opening is None:
                # Not invited yet (the beat task counts them at opening): counted now.
                survey.groups_at_opening = frequent_groups(survey)
                Survey.objects.filter(pk=survey.pk).update(
                    groups_at_opening=survey.groups_at_opening
                )
            groups = tally.coarsen(facts, survey.groups_at_opening)
            Participation.objects.create(
                network_id=survey.network_id, survey=survey, user_id=member.user_id
            )
            Pending.objects.create(
                network_id=survey.network_id,
                survey=survey,
                edit_key=edit_key(token),
                payload={"answers": rows, "groups": groups, "sealed": seal(groups, token)},
            )
            Draft.objects.filter(survey=survey, user_id=member.user_id).delete()
            created = True
        from .tasks import write_pending_batch

        queue_after_commit(write_pending_batch, survey.network_id, survey.pk)
    return Submitted(created=created, edit_token=token)


DRAFT_KEYS_MAX = 400
DRAFT_VALUE_MAX = 4000


def do_save_draft(member: Membership, survey: Survey, data: dict[str, list[str]]) -> Draft:
    """Keeps what the member has filled in so far, unchecked (it is checked when sent). Not once
    they have answered an anonymous survey: a draft names its member, the answers must not."""
    check_answer_permission(member, survey)
    if survey.is_anonymous and has_answered(member, survey):
        raise ValidationError(_("Your answers are changed in one go: send them when ready."))
    kept: dict[str, list[str]] = {}
    for name, values in list(data.items())[:DRAFT_KEYS_MAX]:
        if name.startswith("q") and name[1:].split("_")[0].isdigit():
            kept[name] = [str(v)[:DRAFT_VALUE_MAX] for v in values[:MAX_CHOICES]]
    draft, _created = Draft.objects.update_or_create(
        survey=survey,
        user_id=member.user_id,
        defaults={"network_id": survey.network_id, "data": kept},
    )
    return draft


def own_response(member: Membership, survey: Survey) -> Response | None:
    """A named survey's response of the member (an anonymous one is found by its edit token)."""
    if survey.is_anonymous:
        return None
    return Response.objects.filter(survey=survey, user_id=member.user_id).first()


def own_draft(member: Membership, survey: Survey) -> Draft | None:
    return Draft.objects.filter(survey=survey, user_id=member.user_id).first()


def note_export(member: Membership, survey: Survey, *, rows: int, fmt: str, lost: int = 0) -> None:
    """Audited without anything of the respondents: the survey, the format, the count, and how
    many cells of a Shift_JIS file lost a character to "?"."""
    detail: dict[str, Any] = {"lost_cells": lost} if lost else {}
    record(
        member,
        AuditAction.EXPORT_SURVEY,
        survey=survey.pk,
        name=survey.title,
        count=rows,
        format=fmt,
        **detail,
    )
