"""The audit log for operators, its CSV export, and a member's record of who saw their data."""

from __future__ import annotations

import csv
import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.core.csvsafe import csv_safe
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.requests import NetworkRequest

from . import actions
from .access import filter_access_to, filter_entries
from .forms import AuditFilterForm
from .retention import policy

PER_PAGE = 50


@operator_required
def audit_log(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(filter_entries(member, **filters), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"page": page, "form": form, "query": query.urlencode(), "policy": policy()},
    )


@operator_required
def audit_export(request: NetworkRequest) -> HttpResponse:
    """The log, with the page's filters, as CSV for Excel (UTF-8 with a BOM)."""
    member = request.membership
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("When"), _("Who"), _("What"), _("Member"), _("Details")])
    rows = 0
    for entry in filter_entries(member, **filters).iterator(chunk_size=1000):
        cells = [
            timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_label(),
            entry.get_action_display(),
            entry.target.user.name if entry.target else "",
            entry.summary(),
        ]
        # A name such as =HYPERLINK(...) must reach the spreadsheet as text, never as a formula.
        writer.writerow([csv_safe(cell) for cell in cells])
        rows += 1
    actions.do_note_audit_export(member, rows=rows, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    filename = f"{member.network.slug}-audit-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required
def my_access(request: NetworkRequest) -> HttpResponse:
    """Who in the office viewed or exported this member's data, for the member alone."""
    member = request.membership
    page = Paginator(filter_access_to(member), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/my_access.html",
        {"page": page},
    )
