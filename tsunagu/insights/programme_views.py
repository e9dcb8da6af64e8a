"""Pages of the supporter programme (welcome queue, ranking, awards) and the outcome ledger."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.requests import NetworkRequest

from . import ledger, report, supporters
from .programme_forms import AwardForm, OutcomeForm, PeriodForm, QuotesForm, SettingsForm
from .programme_models import AwardKind, OutcomeStatus, ProgrammeSettings
from .report import Quarter
from .supporters import PeriodKind, period_containing

LEDGER_PAGE = 50
AWARD_CANDIDATES = 20


def _forbidden(request: NetworkRequest) -> HttpResponse:
    return render(request, "tenancy/forbidden.html", status=403)


# --- Supporters -----------------------------------------------------------------------------


@member_required
def welcome_queue(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    try:
        supporters.check_supporter_permission(member)
    except PermissionDenied:
        return _forbidden(request)
    queue = list(supporters.welcome_queue(member)[: supporters.QUEUE_SHOWN])
    settings = ProgrammeSettings.for_network(member.network_id)
    return render(
        request,
        "insights/supporters_queue.html",
        {
            "queue": queue,
            "days": supporters.QUEUE_DAYS,
            "can_see_ranking": supporters.can_see_ranking(member, settings),
        },
    )


@member_required
def ranking(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    settings = ProgrammeSettings.for_network(member.network_id)
    if not supporters.can_see_ranking(member, settings):
        return _forbidden(request)
    form = PeriodForm(request.GET or None)
    kind, day = form.chosen()
    period = period_containing(kind, day)
    if not form.is_bound or form.is_valid():  # the picker shows what is shown
        form = PeriodForm(initial={"period": kind, "month": day})
    standings = supporters.ranking(member.network_id, period, settings)
    context = {
        "form": form,
        "period": period,
        "standings": standings,
        "settings": settings,
        "can_see_ranking": True,
    }
    if kind == PeriodKind.YEAR and member.is_operator:
        context |= _awards_context(member.network_id, period.start.year, standings)
    return render(request, "insights/supporters_ranking.html", context)


def _awards_context(
    network_id: int, year: int, standings: list[supporters.Standing]
) -> dict[str, object]:
    given = supporters.awards_of_year(network_id, year)
    top = standings[:AWARD_CANDIDATES]
    newcomers = [s for s in standings if supporters.joined_in(s.member, year)][:AWARD_CANDIDATES]
    forms = []
    for kind, label in AwardKind.choices:
        if kind in given:
            continue
        pool = newcomers if kind == AwardKind.NEWCOMER else top
        candidates = [(s.member.pk, f"{s.rank}. {s.member.user.name}") for s in pool]
        form = AwardForm(
            initial={"year": year, "kind": kind},
            candidates=candidates,
            auto_id=f"id_award_{kind}_%s",
        )
        forms.append({"kind": kind, "label": label, "form": form, "empty": not candidates})
    return {"awards": [given[k] for k in AwardKind.values if k in given], "award_forms": forms}


@operator_required
@require_POST
def give_award(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    year = _int(request.POST.get("year"))
    back = redirect(_ranking_url(request, year if year is not None else supporters.today().year))
    try:
        member_id = _int(request.POST.get("member"))
        if year is None or member_id is None:
            raise ValidationError(_("Choose a member from the year's ranking."))
        award = supporters.do_give_award(
            member,
            year=year,
            kind=request.POST.get("kind", ""),
            member_id=member_id,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(
        request,
        _("%(award)s %(year)s goes to %(name)s.")
        % {"award": award.get_kind_display(), "year": award.year, "name": award.member.user.name},
    )
    return back


@operator_required
@require_POST
def withdraw_award(request: NetworkRequest, award_id: int) -> HttpResponse:
    member = request.membership
    award = supporters.access_award(member, award_id)
    year = award.year
    supporters.do_withdraw_award(member, award)
    messages.success(request, _("The award has been withdrawn."))
    return redirect(_ranking_url(request, year))


def _ranking_url(request: NetworkRequest, year: int) -> str:
    base = reverse("programme:ranking", kwargs={"network_slug": request.network.slug})
    return f"{base}?period=year&month={year}-01"


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@operator_required
def programme_settings(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    current = ProgrammeSettings.for_network(member.network_id)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        supporters.do_save_settings(member, form.instance)
        messages.success(request, _("The ranking's settings have been saved."))
        return redirect("programme:settings", network_slug=request.network.slug)
    return render(
        request, "insights/supporters_settings.html", {"form": form, "can_see_ranking": True}
    )


# --- The outcome ledger ---------------------------------------------------------------------


@operator_required
def ledger_list(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = OutcomeForm(request.POST or None, network_id=member.network_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ledger.do_record_outcome(
            member,
            kind=data["kind"],
            on=data["on"],
            value_yen=data["value_yen"],
            note=data["note"],
            members=data["members"],
        )
        messages.success(request, _("The outcome has been recorded."))
        return redirect("programme:ledger", network_slug=request.network.slug)
    if not form.is_bound:
        form.initial = {"on": supporters.today()}
    qs = ledger.outcomes(member.network_id)
    page = Paginator(qs, LEDGER_PAGE).get_page(request.GET.get("page"))
    rows = [{"outcome": o, "names": ledger.member_names(o)} for o in page]
    status = 400 if form.is_bound else 200
    return render(
        request,
        "insights/ledger.html",
        {"form": form, "page": page, "rows": rows, "proposed": OutcomeStatus.PROPOSED},
        status=status,
    )


@operator_required
def ledger_edit(request: NetworkRequest, outcome_id: int) -> HttpResponse:
    member = request.membership
    outcome = ledger.access_outcome(member, outcome_id)
    names = ", ".join(p.member.user.name for p in outcome.people.all() if p.member is not None)
    initial = {
        "kind": outcome.kind,
        "on": outcome.on,
        "value_yen": outcome.value_yen,
        "note": outcome.note,
        "members": names,
    }
    form = OutcomeForm(request.POST or None, initial=initial, network_id=member.network_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ledger.do_update_outcome(
            member,
            outcome,
            kind=data["kind"],
            on=data["on"],
            value_yen=data["value_yen"],
            note=data["note"],
            members=data["members"],
        )
        messages.success(request, _("The outcome has been saved."))
        return redirect("programme:ledger", network_slug=request.network.slug)
    return render(
        request,
        "insights/ledger_edit.html",
        {"form": form, "outcome": outcome, "names": ledger.member_names(outcome)},
        status=400 if form.is_bound else 200,
    )


@operator_required
@require_POST
def ledger_decide(request: NetworkRequest, outcome_id: int) -> HttpResponse:
    member = request.membership
    outcome = ledger.access_outcome(member, outcome_id)
    status = request.POST.get("status", "")
    try:
        ledger.do_decide_outcome(member, outcome, status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if status == OutcomeStatus.CONFIRMED:
            messages.success(request, _("The outcome is confirmed."))
        else:
            messages.success(request, _("The outcome is dismissed."))
    return redirect("programme:ledger", network_slug=request.network.slug)


@operator_required
def ledger_export(request: NetworkRequest) -> HttpResponse:
    """CSV for Excel: UTF-8 with a BOM, or Shift_JIS (CP932) for older Excel versions."""
    member = request.membership
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    content = ledger.export_csv(member, "utf-8" if encoding == "utf-8" else "cp932")
    stamp: date = timezone.localdate()
    response = HttpResponse(content, content_type=f"text/csv; charset={encoding}")
    suffix = "-sjis" if encoding == "shift_jis" else ""
    filename = f"{member.network.slug}-outcomes-{stamp:%Y%m%d}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The quarterly report ---------------------------------------------------------------------


def _quarter(request: NetworkRequest) -> Quarter:
    text = request.GET.get("quarter") or ""
    if not text:
        return Quarter.of(report.network_day_today())
    return Quarter.parse(text)


@operator_required
def quarter_report(request: NetworkRequest) -> HttpResponse:
    """One A4 page for the management meeting; the office picks two quotes."""
    member = request.membership
    try:
        quarter = _quarter(request)
    except report.QuarterError as error:
        return render(request, "insights/quarter_report.html", {"problem": str(error)}, status=400)
    found = report.quarter_report(member, quarter)
    form = QuotesForm(request.POST or None, instance=found.note)
    if request.method == "POST" and form.is_valid():
        report.do_save_quotes(member, quarter, **form.cleaned_data)
        messages.success(request, _("The quotes are saved."))
        target = reverse("programme:quarter_report", kwargs={"network_slug": member.network.slug})
        return redirect(f"{target}?quarter={quarter.key}")
    return render(
        request,
        "insights/quarter_report.html",
        {
            "report": found,
            "form": form,
            "quarters": [quarter.previous(n) for n in range(-1, 5) if n != 0],
        },
        status=400 if request.method == "POST" else 200,
    )


@operator_required
def quarter_report_csv(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    try:
        quarter = _quarter(request)
    except report.QuarterError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    found = report.quarter_report(member, quarter)
    content = report.export_csv(member, found, "utf-8" if encoding == "utf-8" else "cp932")
    response = HttpResponse(content, content_type=f"text/csv; charset={encoding}")
    suffix = "-sjis" if encoding == "shift_jis" else ""
    filename = f"{member.network.slug}-report-{quarter.key}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
