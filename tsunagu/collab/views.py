"""Links between networks (operators), members' choices, the linked directory and the records of
what was shown across."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core.csvsafe import csv_safe
from tsunagu.profiles.visibility import FIELDS
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.requests import NetworkRequest

from . import actions
from .access import (
    access_link,
    can_answer,
    can_revoke,
    can_withdraw_scope,
    check_manage_links_permission,
    current_opt_ins,
    directory_links,
    filter_links_for,
)
from .directory import linked_people
from .forms import AnswerForm, OptInForm, RequestLinkForm, WithdrawScopeForm
from .models import Disclosure

PER_PAGE = 50


def _links_page(
    request: NetworkRequest, form: RequestLinkForm, status: int = 200, error: str = ""
) -> HttpResponse:
    member = request.membership
    rows = []
    for link in filter_links_for(member):
        rows.append(
            {
                "link": link,
                "name": link.other_name(member.network_id),
                "asked_by_us": link.network_id == member.network_id,
                "state": link.state_for(member.network_id),
                "state_label": link.state_label_for(member.network_id),
                "can_answer": can_answer(member, link),
                "can_revoke": can_revoke(member, link),
                "can_withdraw": can_withdraw_scope(member, link),
            }
        )
    return render(
        request,
        "collab/links.html",
        {"form": form, "rows": rows, "answer_form": AnswerForm(), "error": error},
        status=status,
    )


@operator_required
def links(request: NetworkRequest) -> HttpResponse:
    """The network's links and requests; asking another network to link."""
    member = request.membership
    if request.method != "POST":
        return _links_page(request, RequestLinkForm())
    form = RequestLinkForm(request.POST)
    if form.is_valid():
        try:
            actions.do_request_link(
                member,
                slug=form.cleaned_data["slug"],
                scopes=form.cleaned_data["scopes"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent. If the address is a network's, its operators will "
                    "answer here."
                ),
            )
            return redirect("collab:links", network_slug=request.network.slug)
    return _links_page(request, form, status=400)


@operator_required
@require_POST
def answer(request: NetworkRequest, collab_link_id: int) -> HttpResponse:
    member = request.membership
    link = access_link(member, collab_link_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _links_page(request, RequestLinkForm(), 400, _("Choose an answer."))
    try:
        actions.do_answer_link(
            member, link, form.cleaned_data["decision"], form.cleaned_data["scopes"]
        )
    except ValidationError as refusal:
        return _links_page(request, RequestLinkForm(), 409, " ".join(refusal.messages))
    messages.success(request, _("Your answer was recorded."))
    return redirect("collab:links", network_slug=request.network.slug)


@operator_required
@require_POST
def revoke(request: NetworkRequest, collab_link_id: int) -> HttpResponse:
    member = request.membership
    link = access_link(member, collab_link_id)
    try:
        actions.do_revoke_link(member, link)
    except ValidationError as refusal:
        return _links_page(request, RequestLinkForm(), 409, " ".join(refusal.messages))
    messages.success(request, _("The link was ended."))
    return redirect("collab:links", network_slug=request.network.slug)


@operator_required
@require_POST
def withdraw(request: NetworkRequest, collab_link_id: int) -> HttpResponse:
    """Stop sharing one thing over an active link (the other side need not agree)."""
    member = request.membership
    link = access_link(member, collab_link_id)
    form = WithdrawScopeForm(request.POST)
    if not form.is_valid():
        return _links_page(request, RequestLinkForm(), 400, _("Choose what to stop sharing."))
    try:
        actions.do_withdraw_scope(member, link, form.cleaned_data["scope"])
    except ValidationError as refusal:
        return _links_page(request, RequestLinkForm(), 409, " ".join(refusal.messages))
    messages.success(request, _("The link no longer shares it."))
    return redirect("collab:links", network_slug=request.network.slug)


@member_required
def sharing(request: NetworkRequest) -> HttpResponse:
    """The member's choice, per link, to be shown to the linked network's members."""
    member = request.membership
    if request.method == "POST":
        form = OptInForm(request.POST)
        if not form.is_valid():
            return render(request, "400.html", status=400)
        actions.do_set_opt_in(
            member, form.cleaned_data["link"], visible=form.cleaned_data["visible"]
        )
        if form.cleaned_data["visible"]:
            messages.success(request, _("Members of that network can now find you."))
        else:
            messages.success(request, _("Members of that network no longer see you."))
        return redirect("collab:sharing", network_slug=request.network.slug)
    chosen = current_opt_ins(member)
    rows = [
        {
            "link": link,
            "name": link.other_name(member.network_id),
            "opted_in": link.pk in chosen,
        }
        for link in directory_links(member.network_id)
    ]
    return render(request, "collab/sharing.html", {"rows": rows})


@member_required
def people(request: NetworkRequest) -> HttpResponse:
    """Members of linked networks who chose to be found, as each of them shares."""
    page, cards = linked_people(request.membership, request.GET.get("page"), PER_PAGE)
    return render(request, "collab/people.html", {"page": page, "cards": cards})


@member_required
def seen(request: NetworkRequest) -> HttpResponse:
    """Which networks outside this one saw the member's data, on which days, which fields."""
    member = request.membership
    rows = (
        Disclosure.objects.filter(membership_id=member.pk)
        .select_related("viewer_network")
        .order_by("-day", "-id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    labels = field_labels()
    for row in page:
        row.field_labels = [labels.get(f, f) for f in row.fields]  # type: ignore[attr-defined]
    return render(request, "collab/seen.html", {"page": page})


def field_labels() -> dict[str, str]:
    labels = {field: str(label) for field, (label, _default) in FIELDS.items()}
    labels["name"] = _("Name")
    labels["application"] = _("Their answer to an opportunity (message and CV)")
    return labels


@operator_required
def disclosures_export(request: NetworkRequest) -> HttpResponse:
    """The records of this network's members' data shown to linked networks, as CSV for Excel
    (UTF-8 with a BOM). The export is itself recorded in the audit log."""
    member = request.membership
    check_manage_links_permission(member)
    labels = field_labels()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("Date"),
            _("Recipient network"),
            _("Member"),
            _("Fields"),
            _("Views"),
            _("Consent"),
            _("Consent given"),
            _("Consent reference"),
        ]
    )
    rows = 0
    qs = (
        Disclosure.objects.filter(network_id=member.network_id)
        .select_related("viewer_network", "membership__user", "consent", "room_member")
        .order_by("-day", "-id")
    )
    for row in qs.iterator(chunk_size=1000):
        cells = [
            row.day.isoformat(),
            row.viewer_network.name,
            row.membership.user.name,
            ", ".join(labels.get(f, f) for f in row.fields),
            row.views,
            row.consent_kind,
            timezone.localtime(row.consent_given_at).strftime("%Y-%m-%d %H:%M:%S")
            if row.consent_given_at is not None
            else "",
            row.consent_reference,
        ]
        writer.writerow([csv_safe(cell) for cell in cells])
        rows += 1
    actions.do_note_disclosure_export(member, rows=rows)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    filename = f"{member.network.slug}-disclosures-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
