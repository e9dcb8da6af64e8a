from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core.csvsafe import cells_lost_in_cp932, csv_bytes
from tsunagu.core.storage import file_response, serves_upload
from tsunagu.core.templatetags.layout import read_with_layout
from tsunagu.profiles.normalize import query_terms
from tsunagu.tenancy.access import access_membership, filter_active_members
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.models import Role
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, exports, listing
from .access import (
    Refused,
    access_answer,
    access_file,
    access_opportunity,
    answers_to,
    can_edit,
    can_post,
    can_see_answers,
    careers_settings,
    check_edit_permission,
    check_post_permission,
    check_see_answers_permission,
    check_talent_permission,
    check_withdraw_permission,
    files_of,
    is_recruiter,
    modes_for,
    own_answers,
)
from .directory import ANY as OPEN_TO_ANY
from .directory import PARAM as OPEN_TO
from .forms import (
    FLAG_OFF,
    KIND_CHOICES,
    REMOTE_CHOICES,
    AnswerForm,
    CareersSettingsForm,
    ListFilterForm,
    OpenToForm,
    OpportunityForm,
    StatusForm,
)
from .models import (
    Flag,
    Mode,
    OpenTo,
    Opportunity,
    Recruiter,
    State,
    Status,
    next_statuses,
)


def _detail(request: NetworkRequest, opportunity: Opportunity) -> HttpResponse:
    return redirect(actions.opportunity_url(opportunity, request.network.slug))


def _refused(request: NetworkRequest, error: Refused, opportunity: Opportunity | None = None):
    return render(
        request,
        "careers/refused.html",
        {"reason": error.message, "opportunity": opportunity},
        status=409,
    )


@member_required
def opportunity_list(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "kind": data.get("kind") or "",
        "remote": data.get("remote") or "",
        "terms": query_terms(data.get("q") or ""),
    }
    # The page's entries and the header's, in one round trip (listing.py keeps the pages).
    found = read_with_layout(request, listing.page_keys(member))
    page = listing.listed_page(member, filters, request.GET.get("page"), found)
    answered = listing.answered_by(member, found)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "careers/list.html",
        {
            "form": form,
            "filters": filters,
            "kinds": KIND_CHOICES,
            "remotes": REMOTE_CHOICES,
            "page": page,
            "answered": answered,
            "query": query.urlencode(),
            "can_post": can_post(member, found),
            "show_talent": member.role == Role.EMPLOYEE and is_recruiter(member),
            "pending_count": Opportunity.objects.filter(
                network_id=member.network_id, state=State.PENDING
            ).count()
            if member.is_operator
            else 0,
        },
    )


@member_required
def opportunity_detail(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    member = request.membership
    found = read_with_layout(request, listing.page_keys(member))
    opportunity, files, mine = listing.opportunity_page(member, opportunity_id, found)
    modes = modes_for(opportunity)
    return render(
        request,
        "careers/detail.html",
        {
            "opportunity": opportunity,
            "files": files,
            "mine": mine,
            "modes": modes,
            "form": AnswerForm(modes=modes),
            "can_edit": can_edit(member, opportunity),
            "can_see_answers": can_see_answers(member, opportunity),
            "can_answer": opportunity.is_open and opportunity.poster_id != member.pk,
        },
    )


def _fields(form: OpportunityForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("attachment", None)
    return data


@member_required
def opportunity_create(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_post_permission(member)
    form = OpportunityForm(request.POST or None, request.FILES or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = actions.do_create_opportunity(
                member, attachment=form.cleaned_data.get("attachment"), **_fields(form)
            )
        except Refused as error:
            form.add_error(None, error.message)
        else:
            if opportunity.state == State.PENDING:
                messages.success(
                    request, _("Thank you! It will be published once an operator approves it.")
                )
            else:
                messages.success(request, _("The opportunity has been published."))
            return _detail(request, opportunity)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "careers/form.html",
        {"form": form, "needs_approval": _needs_approval(request)},
        status=status,
    )


def _needs_approval(request: NetworkRequest) -> bool:
    member = request.membership
    if member.role in (Role.OPERATOR, Role.EMPLOYEE):
        return False
    return careers_settings(member.network_id).member_posts_need_approval


@member_required
def opportunity_edit(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    member = request.membership
    opportunity = access_opportunity(member, opportunity_id)
    check_edit_permission(member, opportunity)
    form = OpportunityForm(
        request.POST or None, request.FILES or None, member=member, instance=opportunity
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_opportunity(
                member,
                opportunity,
                attachment=form.cleaned_data.get("attachment"),
                **_fields(form),
            )
        except Refused as error:
            form.add_error(None, error.message)
        else:
            if opportunity.state == State.PENDING:
                messages.success(request, _("Your changes wait for an operator's approval."))
            else:
                messages.success(request, _("Your changes have been saved."))
            return _detail(request, opportunity)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "careers/form.html",
        {"form": form, "opportunity": opportunity, "needs_approval": _needs_approval(request)},
        status=status,
    )


@member_required
@require_POST
def opportunity_close(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    member = request.membership
    opportunity = access_opportunity(member, opportunity_id)
    actions.do_close_opportunity(member, opportunity)
    messages.success(request, _("The opportunity is closed. Those who answered can still see it."))
    return _detail(request, opportunity)


@member_required
@require_POST
def opportunity_delete(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    member = request.membership
    opportunity = access_opportunity(member, opportunity_id)
    try:
        actions.do_delete_opportunity(member, opportunity)
    except Refused as error:
        return _refused(request, error, opportunity)
    messages.success(request, _("The opportunity has been deleted."))
    return redirect("careers:list", network_slug=request.network.slug)


@operator_required
@require_POST
def opportunity_review(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    member = request.membership
    opportunity = access_opportunity(member, opportunity_id)
    decision = request.POST.get("decision", "")
    if decision not in {"approve", "reject"}:
        messages.error(request, _("Unknown action."))
    elif opportunity.state != State.PENDING:
        messages.error(request, _("This opportunity is not waiting for approval."))
    else:
        actions.do_review_opportunity(member, opportunity, approve=decision == "approve")
        if decision == "approve":
            messages.success(request, _("The opportunity is approved and published."))
        else:
            messages.success(request, _("The opportunity is turned down."))
    return redirect("careers:manage", network_slug=request.network.slug)


@serves_upload
@member_required
def opportunity_file(request: NetworkRequest, opportunity_file_id: int) -> FileResponse:
    """An attachment, to members who may open its opportunity; images inline, PDFs downloaded."""
    found = access_file(request.membership, opportunity_file_id)
    return file_response(
        found.file,
        content_type=found.content_type,
        filename=found.name,
        download=not found.is_image,
    )


# --- Answers ---


@member_required
@require_POST
def answer(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    member = request.membership
    opportunity = access_opportunity(member, opportunity_id)
    modes = modes_for(opportunity)
    form = AnswerForm(request.POST, request.FILES, modes=modes)
    if not form.is_valid():
        files = files_of(opportunity)
        return render(
            request,
            "careers/detail.html",
            {
                "opportunity": opportunity,
                "files": files,
                "mine": None,
                "modes": modes,
                "form": form,
                "can_edit": can_edit(member, opportunity),
                "can_see_answers": can_see_answers(member, opportunity),
                "can_answer": opportunity.is_open and opportunity.poster_id != member.pk,
            },
            status=400,
        )
    try:
        found = actions.do_answer(
            member,
            opportunity,
            mode=form.cleaned_data["mode"],
            message=form.cleaned_data.get("message") or "",
            cv=form.cleaned_data.get("cv"),
        )
    except actions.AlreadyAnswered:
        messages.info(request, _("You have already answered this opportunity."))
        return _detail(request, opportunity)
    except Refused as error:
        return _refused(request, error, opportunity)
    if found.mode == Mode.INTEREST:
        messages.success(request, _("Thank you! The poster will get in touch with you."))
    elif found.mode == Mode.INTRODUCE:
        messages.success(request, _("Thank you! The poster will contact you about the person."))
    else:
        messages.success(request, _("Your application has been sent."))
    return redirect("careers:mine", network_slug=request.network.slug)


@member_required
def my_answers(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    answers = list(
        own_answers(member)
        .select_related("opportunity", "network")
        .order_by("-created_at", "-id")[:200]
    )
    posted = list(
        Opportunity.objects.filter(network_id=member.network_id, poster_id=member.pk).order_by(
            "-created_at", "-id"
        )[:100]
    )
    return render(request, "careers/mine.html", {"answers": answers, "posted": posted})


@member_required
@require_POST
def answer_withdraw(request: NetworkRequest, job_application_id: int) -> HttpResponse:
    member = request.membership
    found = access_answer(member, job_application_id)
    check_withdraw_permission(member, found)
    try:
        actions.do_withdraw(member, found)
    except Refused as error:
        return _refused(request, error, found.opportunity)
    messages.success(request, _("You have withdrawn your answer."))
    return redirect("careers:mine", network_slug=request.network.slug)


@member_required
def answers(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    """The answers to one opportunity: for its poster and the operators."""
    member = request.membership
    opportunity = access_opportunity(member, opportunity_id)
    check_see_answers_permission(member, opportunity)
    rows = list(
        answers_to(opportunity)
        .select_related("member__user", "applicant_network")
        .order_by("-created_at", "-id")
    )
    # Members of linked networks showed their name and answer to this network by sending it:
    # recorded for their network as a disclosure (collab), the application its basis.
    actions.note_answers_seen(member, rows)
    for row in rows:
        row.form = StatusForm(current=row.status)  # type: ignore[attr-defined]
    # Told before the download, with the UTF-8 file beside it that keeps every character.
    lost = cells_lost_in_cp932(exports.cells(row) for row in rows)
    return render(
        request,
        "careers/answers.html",
        {"opportunity": opportunity, "rows": rows, "lost_in_shift_jis": lost},
    )


@member_required
@require_POST
def answer_status(request: NetworkRequest, job_application_id: int) -> HttpResponse:
    member = request.membership
    found = access_answer(member, job_application_id)
    check_see_answers_permission(member, found.opportunity)
    wanted = request.POST.get("status", "")
    try:
        found = actions.do_set_status(member, found, wanted)
    except Refused as error:
        return _refused(request, error, found.opportunity)
    if request.htmx:
        found.form = StatusForm(current=found.status)  # type: ignore[attr-defined]
        return render(
            request,
            "careers/fragment_answer.html",
            {"row": found, "opportunity": found.opportunity},
        )
    messages.success(
        request,
        _("%(name)s: now “%(status)s”.")
        % {"name": found.member.user.name, "status": Status(found.status).label},
    )
    return redirect(
        "careers:answers",
        network_slug=request.network.slug,
        opportunity_id=found.opportunity_id,
    )


@member_required
def answer_cv(request: NetworkRequest, job_application_id: int) -> FileResponse:
    """A CV: to the applicant, the poster and the operators; always as a download."""
    member = request.membership
    found = access_answer(member, job_application_id)
    if found.member_id != member.pk and not can_see_answers(member, found.opportunity):
        raise Http404
    if not found.cv:
        raise Http404
    return file_response(
        found.cv,
        content_type="application/pdf",
        filename=found.cv_name or "cv.pdf",
        download=True,
        cache_control="private, no-store",
    )


@member_required
def answers_export(request: NetworkRequest, opportunity_id: int) -> HttpResponse:
    """CSV for Excel: UTF-8 with a BOM, or Shift_JIS (CP932) for older Excel versions, where
    characters it lacks become their CP932 equivalents, or "?" as the answers page warned."""
    member = request.membership
    opportunity = access_opportunity(member, opportunity_id)
    check_see_answers_permission(member, opportunity)
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    qs = list(
        answers_to(opportunity)
        .select_related("member__user", "applicant_network")
        .order_by("created_at", "id")
    )
    actions.note_answers_seen(member, qs)
    rows = [exports.cells(row) for row in qs]
    # A message such as =HYPERLINK(...) reaches the spreadsheet as text, never a formula.
    content, lost = csv_bytes([exports.header(), *rows], encoding)
    actions.note_export(member, opportunity, rows=len(rows), encoding=encoding, lost=lost)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=f"text/csv; charset={encoding}")
    suffix = "-sjis" if encoding == "shift_jis" else ""
    filename = f"{member.network.slug}-opportunity-{opportunity.pk}-{stamp}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- "Open to" flags and the talent list ---


@member_required
def open_to(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    current = dict(
        OpenTo.objects.filter(network_id=member.network_id, membership=member).values_list(
            "flag", "audience"
        )
    )
    form = OpenToForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        actions.do_set_flags(
            member,
            [actions.FlagChoice(flag, form.cleaned_data.get(flag) or None) for flag in Flag.values],
        )
        messages.success(request, _("Your “open to” settings have been saved."))
        return redirect("careers:open_to", network_slug=request.network.slug)
    return render(
        request,
        "careers/open_to.html",
        {"form": form, "off": FLAG_OFF},
        status=400 if request.method == "POST" else 200,
    )


@member_required
def talent(request: NetworkRequest) -> HttpResponse:
    """Members who let operators (and recruiters) know what they are open to: the directory,
    filtered by their flags (``directory.py``), where the other filters combine with it."""
    check_talent_permission(request.membership)
    flag = request.GET.get("flag", "")
    value = flag if flag in Flag.values else OPEN_TO_ANY
    target = reverse("profiles:directory", kwargs={"network_slug": request.network.slug})
    return redirect(f"{target}?{urlencode({OPEN_TO: value})}")


@operator_required
def manage(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    current = careers_settings(member.network_id)
    form = CareersSettingsForm(
        request.POST if request.method == "POST" and "save_settings" in request.POST else None,
        instance=current,
    )
    if form.is_bound and form.is_valid():
        actions.do_save_settings(
            member,
            members_may_post=form.cleaned_data["members_may_post"],
            need_approval=form.cleaned_data["member_posts_need_approval"],
        )
        messages.success(request, _("The settings have been saved."))
        return redirect("careers:manage", network_slug=request.network.slug)
    pending = list(
        Opportunity.objects.filter(network=member.network, state=State.PENDING)
        .select_related("poster__user")
        .order_by("created_at", "id")[:100]
    )
    recruiters = set(
        Recruiter.objects.filter(network=member.network).values_list("membership_id", flat=True)
    )
    employees = list(
        filter_active_members(member.network)
        .filter(role=Role.EMPLOYEE)
        .select_related("user")
        .order_by("user__name")[:500]
    )
    for employee in employees:
        employee.is_recruiter = employee.pk in recruiters  # type: ignore[attr-defined]
    return render(
        request,
        "careers/manage.html",
        {"form": form, "pending": pending, "employees": employees},
    )


@operator_required
@require_POST
def recruiter(request: NetworkRequest, membership_id: int) -> HttpResponse:
    member = request.membership
    target = access_membership(member, membership_id)
    try:
        actions.do_set_recruiter(member, target, request.POST.get("on") == "1")
    except Refused as error:
        return _refused(request, error)
    messages.success(request, _("Recruiters have been updated."))
    return redirect("careers:manage", network_slug=request.network.slug)


__all__ = ["next_statuses"]
