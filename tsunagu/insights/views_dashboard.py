"""The operators' dashboard: figures over a period, early warnings, the CSV and the settings."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tsunagu.core import caching
from tsunagu.core.charts import render_svg
from tsunagu.core.csvsafe import csv_safe
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.models import Status
from tsunagu.tenancy.requests import NetworkRequest

from . import dashboard_actions
from .dashboard_access import check_export_figures_permission, check_view_dashboard_permission
from .figures import RETENTION_AFTER, Figures, figures_for
from .forms_dashboard import InsightSettingsForm, PeriodForm
from .presentation import chart_named, charts, cohort_rows, csv_rows, member_rows
from .warnings import settings_for, warnings_for


def _period_form(request: NetworkRequest) -> PeriodForm:
    form = PeriodForm(request.GET, today=network_day(timezone.now()))
    form.is_valid()
    return form


def _figures_html(request: NetworkRequest, figures: Figures) -> str:
    """The tables, and the charts as images of their own: the same for every reader, made once
    per computation. Drawing six charts took a fifth of a cold page; as images the browser
    fetches them beside each other once the figures are on screen, and keeps them (each
    address names the computation)."""
    stamp = int(figures.computed_at.timestamp())
    key = caching.key(
        "insights", "figures-html", request.network.pk, figures.period.key,
        f"{figures.as_of:%Y%m%d}", stamp, language=True, zone=True,
    )  # fmt: skip

    def render_block() -> str:
        shown = charts(figures)
        query = urlencode(
            {"start": f"{figures.period.first:%Y-%m}", "end": f"{figures.period.last:%Y-%m}"}
        )
        for chart in shown:
            address = reverse(
                "insights:chart",
                kwargs={"network_slug": request.network.slug, "chart_name": chart.extra["name"]},
            )
            chart.extra["src"] = f"{address}?{query}&v={stamp}-{get_language()}"
        return render_to_string(
            "insights/fragment_figures.html",
            {
                "figures": figures,
                "charts": shown,
                "member_rows": member_rows(figures),
                "cohort_rows": cohort_rows(figures),
                "statuses": Status.choices,
                "retention_after": RETENTION_AFTER,
            },
        )

    return caching.cached_html(key, render_block, caching.HOUR)


@member_required
def dashboard(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_view_dashboard_permission(member)
    form = _period_form(request)
    context: dict[str, object] = {"form": form, "is_operator": member.is_operator}
    if "period" not in form.cleaned_data:
        return render(request, "insights/dashboard.html", context, status=400)
    period = form.cleaned_data["period"]
    figures = figures_for(member.network_id, period)
    warnings = sorted(warnings_for(member.network_id), key=lambda w: not w.firing)
    context.update(
        {
            "period": period,
            "figures": figures,
            "figures_html": _figures_html(request, figures),
            "warnings": warnings,
            "firing": sum(1 for w in warnings if w.firing),
            "query": request.GET.urlencode(),
        }
    )
    return render(request, "insights/dashboard.html", context)


@member_required
def chart(request: NetworkRequest, chart_name: str) -> HttpResponse:
    """One chart of the dashboard as an SVG image, for those who may read the dashboard."""
    member = request.membership
    check_view_dashboard_permission(member)
    form = _period_form(request)
    if "period" not in form.cleaned_data:
        return HttpResponse(_("Choose a valid period."), status=400, content_type="text/plain")
    figures = figures_for(member.network_id, form.cleaned_data["period"])
    drawn = chart_named(figures, chart_name)
    if drawn is None or drawn.empty:
        raise Http404
    response = HttpResponse(render_svg(drawn), content_type="image/svg+xml")
    # The address names the computation it was drawn from (``v``): the browser may keep it.
    current = request.GET.get("v") == f"{int(figures.computed_at.timestamp())}-{get_language()}"
    response["Cache-Control"] = "private, max-age=86400" if current else "private, no-cache"
    return response


@member_required
def export(request: NetworkRequest) -> HttpResponse:
    """The figures as CSV for Excel: UTF-8 with a BOM, or CP932 for older Excel versions."""
    member = request.membership
    check_export_figures_permission(member)
    form = _period_form(request)
    if "period" not in form.cleaned_data:
        context = {"form": form, "is_operator": True}
        return render(request, "insights/dashboard.html", context, status=400)
    period = form.cleaned_data["period"]
    figures = figures_for(member.network_id, period)
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in csv_rows(figures):
        writer.writerow([csv_safe(cell) for cell in row])
    text = buffer.getvalue()
    if encoding == "utf-8":
        content = ("\ufeff" + text).encode("utf-8")
    else:
        content = text.encode("cp932", errors="replace")
    dashboard_actions.note_figures_export(member, period, encoding=encoding)
    response = HttpResponse(content, content_type=f"text/csv; charset={encoding}")
    suffix = "-sjis" if encoding == "shift_jis" else ""
    filename = f"{member.network.slug}-figures-{period.key}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@operator_required
def dashboard_settings(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    current = settings_for(member.network_id)
    form = InsightSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            dashboard_actions.do_update_insight_settings(member, form)
            messages.success(request, _("The dashboard settings have been saved."))
            return redirect("insights:settings", network_slug=member.network.slug)
        return render(request, "insights/dashboard_settings.html", {"form": form}, status=400)
    return render(request, "insights/dashboard_settings.html", {"form": form})
