from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tsunagu.core.charts import Chart, Series
from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.days import network_zone
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.models import Membership, Role
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, batches, exports, results
from .access import (
    access_managed_survey,
    access_survey,
    can_create_surveys,
    can_manage_survey,
    check_create_survey_permission,
    check_see_results_permission,
    filter_surveys_for,
    has_answered,
    may_see_results,
)
from .audience import audience_members, in_audience
from .forms import (
    AnswerForm,
    CopyForm,
    CrosstabForm,
    EditLinkForm,
    QuestionForm,
    SectionForm,
    SurveyForm,
)
from .keys import new_token, valid_token
from .models import CHOICE_KINDS, Kind, Participation, Pending, Question, Section, Survey


def _url(name: str, survey: Survey, **kwargs: Any) -> str:
    return reverse(
        f"surveys:{name}",
        kwargs={"network_slug": survey.network.slug, "survey_id": survey.pk, **kwargs},
    )


def _errors(request: NetworkRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _errors_into(form: forms.Form, error: ValidationError) -> None:
    """An action's refusal shown on the form: under its field, or above the form."""
    named = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for name, errors in named:
        form.add_error(name if name in form.fields else None, errors)


@member_required
def survey_list(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    answered = Participation.objects.filter(survey=OuterRef("pk"), user_id=member.user_id)
    surveys = list(
        filter_surveys_for(member, Survey.objects.all())
        .annotate(answered=Exists(answered))
        .order_by("-opens_at", "-id")[:200]
    )
    rows = []
    for survey in surveys:
        survey.network = member.network
        manages = can_manage_survey(member, survey)
        if not survey.published and not manages:
            continue
        rows.append({"survey": survey, "manages": manages})
    return render(
        request,
        "surveys/list.html",
        {"rows": rows, "may_create": can_create_surveys(member), "now": timezone.now()},
    )


def in_network_zone(view: Any) -> Any:
    """Opening and closing times are written and shown in the network's zone (tenancy.days),
    whatever zone the member reads the site in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with timezone.override(network_zone()):
            return view(*args, **kwargs)

    return wrapper


@member_required
@in_network_zone
def survey_create(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_create_survey_permission(member)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"opens_at": now, "closes_at": now + timedelta(days=14)}
    form = SurveyForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        survey = actions.do_create_survey(member, form.cleaned_data)
        messages.success(request, _("The survey has been created. Now add its questions."))
        return redirect(_url("questions", survey))
    return render(
        request,
        "surveys/form.html",
        {"form": form, "survey": None, "copy_form": CopyForm(member=member)},
    )


@member_required
@require_POST
def survey_copy(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_create_survey_permission(member)
    form = CopyForm(request.POST, member=member)
    if not form.is_valid():
        messages.error(request, _("Choose a survey to copy."))
        return redirect("surveys:create", network_slug=member.network.slug)
    copy = actions.do_copy_survey(member, form.cleaned_data["source"])
    messages.success(request, _("The survey has been copied. Check its dates before publishing."))
    return redirect(_url("edit", copy))


@member_required
@in_network_zone
def survey_edit(request: NetworkRequest, survey_id: int) -> HttpResponse:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    form = SurveyForm(request.POST or None, instance=survey, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_survey(member, survey, form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The survey has been saved."))
            return redirect(_url("questions", survey))
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/form.html", {"form": form, "survey": survey}, status=status)


def _question_rows(survey: Survey) -> list[dict[str, Any]]:
    from django.db.models import Count

    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("choices")
        .annotate(n_answers=Count("answers"))
        .order_by("position", "id")
    )
    # Answers waiting for their batch (anonymous) hold every question as answered.
    waiting = Pending.objects.filter(survey=survey).exists()
    return [{"question": q, "answered": waiting or q.n_answers > 0} for q in questions]


@member_required
def survey_questions(request: NetworkRequest, survey_id: int) -> HttpResponse:
    """The questions of a survey: the list, a form for the next one, and sections."""
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    form = QuestionForm(request.POST or None, survey=survey, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_question(member, survey, form.cleaned_data, form.labels())
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The question has been added."))
            return redirect(_url("questions", survey))
    return render(
        request,
        "surveys/questions.html",
        {
            "survey": survey,
            "rows": _question_rows(survey),
            "sections": list(Section.objects.filter(survey=survey)),
            "form": form,
            "section_form": SectionForm(prefix="section"),
            "audience_count": audience_members(survey).count(),
        },
        status=400 if request.method == "POST" else 200,
    )


@member_required
@require_POST
def section_add(request: NetworkRequest, survey_id: int) -> HttpResponse:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    form = SectionForm(request.POST, prefix="section")
    if form.is_valid():
        actions.do_add_section(
            member, survey, form.cleaned_data["title"], form.cleaned_data["description"]
        )
        messages.success(request, _("The section has been added."))
    else:
        messages.error(request, _("Give the section a title of at most 200 characters."))
    return redirect(_url("questions", survey))


def _access_question(member: Membership, survey: Survey, question_id: object) -> Question:
    return access_in_network(
        member, Question.objects.filter(survey=survey).prefetch_related("choices"), question_id
    )


@member_required
def question_edit(request: NetworkRequest, survey_id: int, question_id: int) -> HttpResponse:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    question = _access_question(member, survey, question_id)
    initial = {
        "text": question.text,
        "help_text": question.help_text,
        "kind": question.kind,
        "choices": "\n".join(c.label for c in question.choices.all()),
        "allow_other": question.allow_other,
        "required": question.required,
        "section": question.section_id,
        "position": question.position,
    }
    form = QuestionForm(request.POST or None, survey=survey, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_question(member, question, form.cleaned_data, form.labels())
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The question has been saved."))
            return redirect(_url("questions", survey))
    return render(
        request,
        "surveys/question_form.html",
        {"survey": survey, "question": question, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@member_required
@require_POST
def question_delete(request: NetworkRequest, survey_id: int, question_id: int) -> HttpResponse:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    question = _access_question(member, survey, question_id)
    try:
        actions.do_delete_question(member, question)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The question has been deleted."))
    return redirect(_url("questions", survey))


@member_required
@require_POST
def survey_publish(request: NetworkRequest, survey_id: int) -> HttpResponse:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    try:
        actions.do_publish_survey(member, survey)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The survey is published. Invitations leave when it opens."))
    return redirect(_url("questions", survey))


@member_required
@require_POST
def survey_close(request: NetworkRequest, survey_id: int) -> HttpResponse:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    actions.do_close_now(member, survey)
    messages.success(request, _("The survey is closed."))
    return redirect(_url("results", survey))


# --- Answering ------------------------------------------------------------------------------------


def _sections(questions: list[Question], form: AnswerForm) -> list[dict[str, Any]]:
    """Questions grouped by section, in order; those outside a section come first."""
    groups: list[dict[str, Any]] = []
    by_section: dict[Any, dict[str, Any]] = {}
    for question in sorted(
        questions,
        key=lambda q: (
            q.section is not None,
            q.section.position if q.section else 0,
            q.position,
            q.pk,
        ),
    ):
        key = question.section_id
        if key not in by_section:
            by_section[key] = {"section": question.section, "items": []}
            groups.append(by_section[key])
        other = form[f"q{question.pk}_other"] if question.allow_other else None
        by_section[key]["items"].append(
            {
                "question": question,
                "field": form[f"q{question.pk}"],
                "other": other,
                "grouped": question.kind in (*CHOICE_KINDS, Kind.SCALE, Kind.NPS),
            }
        )
    return groups


def _initial(values: dict[str, list[str]], questions: list[Question]) -> dict[str, Any]:
    """What a member filled in before (a draft or their response), as the form's initial values:
    shown as they left it, without the errors of a form that was not sent."""
    initial: dict[str, Any] = {}
    for question in questions:
        name = f"q{question.pk}"
        found = values.get(name) or []
        initial[name] = found if question.kind == Kind.MULTIPLE else (found[0] if found else None)
        if question.allow_other:
            initial[f"{name}_other"] = (values.get(f"{name}_other") or [""])[0]
    return initial


def _response_values(response: Any) -> dict[str, list[str]]:
    rows = [
        (a.question_id, a.choice_id, a.is_other, a.number, a.date, a.text)
        for a in response.answers.all()
    ]
    return _values(rows)


def _pending_values(entry: Pending) -> dict[str, list[str]]:
    rows = [(q, c, o, n, d, t) for q, _v, c, o, n, d, t in batches.payload_rows(entry.payload)]
    return _values(rows)


def _values(rows: list[tuple[Any, ...]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for question_id, choice_id, is_other, number, date, text in rows:
        name = f"q{question_id}"
        if choice_id is not None:
            values.setdefault(name, []).append(str(choice_id))
        elif is_other:
            values.setdefault(name, []).append("other")
            values[f"{name}_other"] = [text]
        elif number is not None:
            values[name] = [str(number)]
        elif date is not None:
            values[name] = [date.isoformat()]
        else:
            values[name] = [text]
    return values


# The edit token of an anonymous response (keys.py) lives in a signed, HttpOnly cookie sent only
# to the survey's own pages; the form carries a fresh one for a first answer, so that a double
# submit of the same form sends the same token and changes the one response.
EDIT_COOKIE = "tsunagu_survey_edit"
EDIT_SALT = "tsunagu.surveys.edit"
TOKEN_FIELD = "edit_token"  # noqa: S105 - the name of a form field


def _cookie_token(request: NetworkRequest) -> str | None:
    token = request.get_signed_cookie(EDIT_COOKIE, default=None, salt=EDIT_SALT)
    return token if valid_token(token) else None


def _set_edit_cookie(response: HttpResponse, survey: Survey, token: str) -> None:
    from django.conf import settings

    response.set_signed_cookie(
        EDIT_COOKIE,
        token,
        salt=EDIT_SALT,
        path=_url("answer", survey),
        max_age=max(int((survey.closes_at - timezone.now()).total_seconds()), 0) + 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


# Answers never reach an error report or a log: Django's reports of a failed request list the
# posted values, next to the member who posted them.
@sensitive_post_parameters()
@member_required
def survey_answer(request: NetworkRequest, survey_id: int) -> HttpResponse:
    """The survey's form: sent, it stores the response (or replaces the member's earlier one);
    "Save and continue later" keeps the progress without checking it."""
    member = request.membership
    survey = access_survey(member, survey_id)
    survey.network = member.network
    questions = list(
        Question.objects.filter(survey=survey).select_related("section").prefetch_related("choices")
    )
    anonymous = survey.is_anonymous
    tokens = tuple(t for t in (_cookie_token(request),) if t)
    answered = has_answered(member, survey)
    mine: Any = None
    if anonymous:
        found = actions.own_anonymous(survey, tokens) if answered else None
        mine = found[1] if found else None
    else:
        mine = actions.own_response(member, survey)
    # An anonymous survey answered without the token at hand: nothing to show or change here.
    locked = anonymous and mine is None and answered
    asked = survey.published and in_audience(member, survey)
    status = 200
    if request.method == "POST":
        if request.POST.get("save") == "draft":
            try:
                actions.do_save_draft(member, survey, dict(request.POST.lists()))
            except (ValidationError, PermissionDenied):
                messages.error(request, _("This survey is not open for answers."))
                return redirect(_url("answer", survey))
            messages.success(
                request, _("Your answers so far are kept. Come back any time before it closes.")
            )
            return redirect(_url("answer", survey))
        form = AnswerForm(request.POST, questions=questions)
        if form.is_valid():
            posted = request.POST.get(TOKEN_FIELD, "")
            try:
                done = actions.do_submit_response(
                    member, survey, form.given(), edit_tokens=(*tokens, posted)
                )
            except actions.AlreadyAnswered as error:
                messages.error(request, " ".join(error.messages))
                return redirect(_url("answer", survey))
            except ValidationError as error:
                form.add_error(None, error.messages)
                status = 400
            except PermissionDenied:
                form.add_error(None, _("This survey does not ask you."))
                status = 403
            else:
                if anonymous and done.edit_token:
                    return _answered_anonymously(request, survey, done)
                messages.success(
                    request,
                    _("Thank you for answering!")
                    if done.created
                    else _("Your answers have been updated."),
                )
                return redirect(_url("answer", survey))
        else:
            status = 400
    else:
        draft = None if mine is not None and anonymous else actions.own_draft(member, survey)
        if draft is not None:
            form = AnswerForm(initial=_initial(draft.data, questions), questions=questions)
        elif isinstance(mine, Pending):
            form = AnswerForm(
                initial=_initial(_pending_values(mine), questions), questions=questions
            )
        elif mine is not None:
            form = AnswerForm(
                initial=_initial(_response_values(mine), questions), questions=questions
            )
        else:
            form = AnswerForm(questions=questions)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "form": form,
            "groups": _sections(questions, form),
            "mine": mine,
            "locked": locked,
            # A first anonymous answer: the token it will be kept under (see TOKEN_FIELD).
            "new_token": new_token() if anonymous and not answered else "",
            "token_field": TOKEN_FIELD,
            "drafts": not (anonymous and mine is not None),
            "asked": asked,
            "manages": can_manage_survey(member, survey),
            "results_visible": may_see_results(member, survey),
        },
        status=status,
    )


def _answered_anonymously(
    request: NetworkRequest, survey: Survey, done: actions.Submitted
) -> HttpResponse:
    """After an anonymous answer: the token goes into the cookie, and a first answer shows, once,
    the link that opens the answers on another device (the token after "#", which browsers do
    not send: it reaches no server log)."""
    if done.created:
        messages.success(request, _("Thank you for answering!"))
        link = request.build_absolute_uri(_url("edit_link", survey)) + "#" + str(done.edit_token)
        response = render(request, "surveys/answered.html", {"survey": survey, "link": link})
    else:
        messages.success(
            request,
            _(
                "Your answers have been updated. The results show the change together with "
                "other answers, once enough have come in."
            ),
        )
        response = redirect(_url("answer", survey))
    _set_edit_cookie(response, survey, str(done.edit_token))
    return response


@sensitive_post_parameters()
@member_required
def survey_edit_link(request: NetworkRequest, survey_id: int) -> HttpResponse:
    """The link to change one's anonymous answers, opened on another device: the token (after
    "#", read by surveys/edit_link.js, or pasted) is checked and kept in this device's cookie."""
    member = request.membership
    survey = access_survey(member, survey_id)
    survey.network = member.network
    form = EditLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        found = (
            actions.own_anonymous(survey, (token,))
            if survey.is_anonymous and has_answered(member, survey)
            else None
        )
        if found is not None:
            messages.success(request, _("Your answers are open for changes on this device."))
            response = redirect(_url("answer", survey))
            _set_edit_cookie(response, survey, token)
            return response
        form.add_error("token", _("This link does not open answers of yours to this survey."))
    return render(
        request,
        "surveys/edit_link.html",
        {"survey": survey, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@sensitive_post_parameters()
@member_required
@require_POST
def survey_draft(request: NetworkRequest, survey_id: int) -> HttpResponse:
    """Autosave while the member answers (HTMX, on change): a small status line."""
    member = request.membership
    survey = access_survey(member, survey_id)
    try:
        actions.do_save_draft(member, survey, dict(request.POST.lists()))
    except (ValidationError, PermissionDenied):
        return render(request, "surveys/fragment_draft.html", {"saved": False}, status=409)
    return render(request, "surveys/fragment_draft.html", {"saved": True})


# --- Results --------------------------------------------------------------------------------------


def _chart(result: results.QuestionResult, other: str) -> Chart | None:
    if not result.rows:
        return None
    labels = [other if row.label == "__other__" else row.label for row in result.rows]
    kind = "hbar" if result.kind in CHOICE_KINDS else "bar"
    return Chart(
        title=result.text,
        labels=labels,
        series=[Series(_("Share of respondents"), [row.percent for row in result.rows])],
        kind=kind,  # type: ignore[arg-type]
        unit="%",
        max_value=100,
        description=_("Share of respondents per answer to “%(question)s”")
        % {"question": result.text},
        extra={"label_heading": _("Answer")},
    )


def results_context(survey: Survey) -> dict[str, Any]:
    figures = results.results_for(survey)
    other = _("Other")
    items = []
    for result in figures.questions:
        items.append(
            {
                "result": result,
                "chart": _chart(result, other),
                "rows": [(other if r.label == "__other__" else r.label, r) for r in result.rows],
            }
        )
    return {"figures": figures, "items": items}


@member_required
def survey_results(request: NetworkRequest, survey_id: int) -> HttpResponse:
    member = request.membership
    survey = access_survey(member, survey_id)
    survey.network = member.network
    check_see_results_permission(member, survey)
    batches.write_if_closed(survey)
    manages = can_manage_survey(member, survey)
    html = results.cached_page(
        survey,
        f"results:{'m' if manages else 'r'}",
        lambda: render_to_string(
            "surveys/fragment_results.html",
            {"survey": survey, "manages": manages, **results_context(survey)},
            request=request,
        ),
    )
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "manages": manages,
            # Rendered from fragment_results.html (escaped there), kept in the cache as text.
            "results_html": mark_safe(html),  # noqa: S308
            "crosstab_form": CrosstabForm(),
        },
    )


def _group_label(by: str, value: Any, anonymous: bool) -> str:
    if value == "__pool__":
        return _("Other groups combined")
    if value in (None, ""):
        # Anonymous: also everyone whose group was too small to count apart.
        return _("Other or not known") if anonymous else _("Not known")
    if by == "role":
        return str(dict(Role.choices).get(value, value))
    return str(value)


@member_required
def survey_crosstab(request: NetworkRequest, survey_id: int) -> HttpResponse:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    survey.network = member.network
    form = CrosstabForm(request.GET or {"by": "role"})
    if not form.is_valid():
        return render(
            request,
            "surveys/crosstab.html",
            {"survey": survey, "form": form, "tables": []},
            status=400,
        )
    by = form.cleaned_data["by"]
    batches.write_if_closed(survey)
    if survey.is_anonymous and not survey.is_closed:
        # Tables that change with every answer would tell, from one view to the next, the
        # group (and so often the person) of whoever answered in between.
        return render(
            request,
            "surveys/crosstab.html",
            {"survey": survey, "form": form, "tables": [], "by": by, "after_closing": True},
        )
    other = _("Other")
    tables = []
    for table in results.crosstab_for(survey, by):
        tables.append(
            {
                "text": table.text,
                "columns": [other if c == "__other__" else c for c in table.columns],
                "groups": [
                    (_group_label(by, g, survey.is_anonymous), n, cells)
                    for g, n, cells in table.groups
                ],
                "hidden_groups": table.hidden_groups,
            }
        )
    return render(
        request,
        "surveys/crosstab.html",
        {"survey": survey, "form": form, "tables": tables, "by": by},
    )


def _export_withheld(request: NetworkRequest, survey: Survey) -> HttpResponse | None:
    batches.write_if_closed(survey)
    if not exports.withheld(survey):
        return None
    messages.error(
        request,
        _(
            "Fewer than 5 people have answered this anonymous survey: its answers can be "
            "downloaded from 5 responses on."
        ),
    )
    return redirect(_url("results", survey))


@member_required
def survey_export_csv(request: NetworkRequest, survey_id: int) -> HttpResponse:
    """CSV for Excel: UTF-8 with a BOM, or Shift_JIS (CP932) for older Excel versions."""
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    survey.network = member.network
    if (withheld := _export_withheld(request, survey)) is not None:
        return withheld
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    content, rows, lost = exports.csv_file(survey, encoding)
    actions.note_export(member, survey, rows=rows, fmt=f"csv-{encoding}", lost=lost)
    stamp = timezone.localtime().strftime("%Y%m%d")
    suffix = "-sjis" if encoding == "shift_jis" else ""
    response = HttpResponse(content, content_type=f"text/csv; charset={encoding}")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-{stamp}{suffix}.csv"'
    )
    return response


@member_required
def survey_export_xlsx(request: NetworkRequest, survey_id: int) -> HttpResponseBase:
    member = request.membership
    survey = access_managed_survey(member, survey_id)
    survey.network = member.network
    if (withheld := _export_withheld(request, survey)) is not None:
        return withheld
    handle, rows = exports.xlsx_file(survey)
    actions.note_export(member, survey, rows=rows, fmt="xlsx")
    stamp = timezone.localtime().strftime("%Y%m%d")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"survey-{survey.pk}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
