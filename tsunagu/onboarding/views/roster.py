"""Roster import: upload, map the columns with a preview, import, download the rejected rows."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tsunagu.audit.models import AuditAction, record
from tsunagu.core.csvsafe import csv_safe
from tsunagu.tenancy.decorators import operator_required
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import access_batch
from ..dates import DateError, parse_date
from ..forms import HeaderChoiceForm, UploadForm
from ..models import ImportBatch
from ..roster import (
    FIELDS,
    PREVIEW_ROWS,
    Rejection,
    RosterError,
    Sheet,
    Summary,
    cell_text,
    clean_mapping,
    iter_checked,
    mapping_errors,
    summarise,
)


@operator_required
def upload(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = actions.do_upload_roster(member, form.cleaned_data["file"])
            except RosterError as error:
                form.add_error("file", str(error))
            else:
                return redirect(
                    "onboarding:import_mapping", network_slug=member.network.slug, batch_id=batch.pk
                )
        status = 400
    batches = ImportBatch.objects.filter(network=member.network).select_related("created_by")[:10]
    return render(
        request, "onboarding/import_upload.html", {"form": form, "batches": batches}, status=status
    )


@operator_required
def mapping(request: NetworkRequest, batch_id: int) -> HttpResponse:
    member = request.membership
    batch = access_batch(member, batch_id)
    if batch.state == ImportBatch.State.DONE:
        return render(request, "onboarding/import_result.html", {"batch": batch})
    try:
        with actions.open_sheet(batch) as sheet:
            return _mapping(request, batch, sheet)
    except (RosterError, OSError):
        messages.error(request, _("The uploaded file can no longer be read. Upload it again."))
        return redirect("onboarding:import_upload", network_slug=member.network.slug)


def _mapping(request: NetworkRequest, batch: ImportBatch, sheet: Sheet) -> HttpResponse:
    member = request.membership
    chosen = batch.mapping
    errors: list[str] = []
    header_form = HeaderChoiceForm(
        request.POST if request.POST.get("action") == "reread" else None,
        sheets=sheet.sheet_names,
        initial={"sheet": sheet.sheet_index, "header_line": batch.header_line},
    )
    if request.POST.get("action") == "reread":
        if header_form.is_valid():
            try:
                actions.do_choose_header(
                    member,
                    batch,
                    sheet=header_form.cleaned_data.get("sheet"),
                    header_line=header_form.cleaned_data["header_line"],
                )
            except RosterError as error:
                header_form.add_error("header_line", str(error))
            else:
                return redirect(
                    "onboarding:import_mapping", network_slug=member.network.slug, batch_id=batch.pk
                )
        return _mapping_page(request, batch, sheet, chosen, [], header_form, status=400)
    if request.method == "POST":
        chosen = clean_mapping(
            {name: request.POST.get(name) for name, _label in FIELDS}, len(sheet.headers)
        )
        errors = mapping_errors(chosen)
        if not errors and request.POST.get("action") == "import":
            try:
                actions.do_import_roster(member, batch, chosen)
            except ValidationError as error:
                errors = error.messages
            else:
                return redirect(
                    "onboarding:import_mapping", network_slug=member.network.slug, batch_id=batch.pk
                )
        if not errors:
            ImportBatch.objects.filter(pk=batch.pk).update(mapping=chosen)
    else:
        errors = mapping_errors(chosen)
    status = 400 if errors and request.method == "POST" else 200
    return _mapping_page(request, batch, sheet, chosen, errors, header_form, status=status)


def _mapping_page(
    request: NetworkRequest,
    batch: ImportBatch,
    sheet: Sheet,
    chosen: dict[str, int],
    errors: list[str],
    header_form: HeaderChoiceForm,
    *,
    status: int,
) -> HttpResponse:
    member = request.membership
    members = actions.member_emails(member.network_id)
    # Every row is checked once per mapping; the page is shown again from what was found.
    summary = Summary.from_dict(batch.summary) if batch.summary else None
    if summary is None or summary.mapping != chosen:
        summary = summarise(sheet, chosen, members)
        ImportBatch.objects.filter(pk=batch.pk).update(summary=summary.as_dict())
    first = sheet.first(PREVIEW_ROWS)
    rejected_lines = {
        r.line: r.reason for r in iter_checked(first, chosen, members) if isinstance(r, Rejection)
    }
    preview = []
    for line, cells in first:
        values = [_shown(n, cells[chosen[n]]) if n in chosen and chosen[n] < len(cells) else {}
                  for n, _label in FIELDS]  # fmt: skip
        preview.append({"line": line, "values": values, "problem": rejected_lines.get(line)})
    return render(
        request,
        "onboarding/import_mapping.html",
        {
            "batch": batch,
            "fields": [{"name": n, "label": label, "column": chosen.get(n)} for n, label in FIELDS],
            "headers": list(enumerate(sheet.headers)),
            "preview": preview,
            "valid_count": summary.valid,
            "rejections": summary.rejections,
            "rejected_count": summary.rejected,
            "errors": errors,
            "sheet": sheet,
            "sheet_name": sheet.sheet_names[sheet.sheet_index] if sheet.sheet_names else "",
            "other_sheets": [
                sheet.sheet_names[i] for i in sheet.sheets_with_header if i != sheet.sheet_index
            ],
            "header_form": header_form,
        },
        status=status,
    )


def _shown(field: str, value: object) -> dict[str, object]:
    """A cell as it will be stored: a date read from an era or a western form (平成20年4月1日,
    2008/4/1) is shown as a date in the page's language; an unreadable one as it was written."""
    if field in ("joined_on", "left_on"):
        try:
            day = parse_date(value)
        except DateError:
            return {"text": cell_text(value), "date": None}
        return {"text": "", "date": day}
    return {"text": cell_text(value), "date": None}


@operator_required
def rejections_csv(request: NetworkRequest, batch_id: int) -> HttpResponse:
    """The rows an import left out, with the reason, to correct and upload again."""
    member = request.membership
    batch = access_batch(member, batch_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Line"), _("Reason"), *[csv_safe(h) for h in batch.headers]])
    for rejection in batch.rejections:
        cells = [csv_safe(c) for c in rejection.get("cells", [])]
        writer.writerow([rejection["line"], csv_safe(rejection["reason"]), *cells])
    record(member, AuditAction.EXPORT_REJECTED_ROWS, rows=len(batch.rejections))
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{batch.pk}.csv"'
    return response
