"""The operators' pages of announcements: the list and the monthly cap, the composer, a draft's
page (audience, test, send) which becomes the send's status, and the preview as a member."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tsunagu.core.markdown import render_markdown
from tsunagu.tenancy.decorators import operator_required
from tsunagu.tenancy.requests import NetworkRequest

from . import actions
from .access import (
    access_announcement,
    access_audience_member,
    filter_announcements,
    search_audience,
)
from .audience import announcement_audience, audience_members
from .forms import AnnouncementForm, AudienceForm, MonthlyCapForm, SendForm
from .limits import allowance, settings_of
from .mail import mail_context, subject_for
from .models import Announcement, Delivery, DeliveryState
from .prefill import prefill_from

PER_PAGE = 30
SENT_ALREADY = gettext_lazy("This announcement has been sent: it can no longer change.")


def _url(name: str, announcement: Announcement) -> str:
    return reverse(
        f"announce:{name}",
        kwargs={"network_slug": announcement.network.slug, "announcement_id": announcement.pk},
    )


def _list(
    request: NetworkRequest, cap_form: MonthlyCapForm | None = None, status: int = 200
) -> HttpResponse:
    member = request.membership
    row = settings_of(member.network)
    qs = filter_announcements(member).order_by("-created_at", "-pk")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "allowance": allowance(member.network, row=row),
        "cap_form": cap_form or MonthlyCapForm(instance=row),
    }
    return render(request, "announce/list.html", context, status=status)


@operator_required
def announcement_list(request: NetworkRequest) -> HttpResponse:
    return _list(request)


@operator_required
@require_POST
def monthly_cap(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = MonthlyCapForm(request.POST, instance=settings_of(member.network))
    if not form.is_valid():
        return _list(request, form, status=400)
    actions.do_set_monthly_cap(member, form.cleaned_data["monthly_cap"])
    messages.success(request, _("The monthly limit has been saved."))
    return redirect("announce:list", network_slug=member.network.slug)


def _audience_count(form: AnnouncementForm, network_id: int) -> int | None:
    if not form.is_bound or form.errors:
        return None
    return audience_members(network_id, **form.segment()).count()


@operator_required
def compose(request: NetworkRequest) -> HttpResponse:
    """A new announcement; ``?event=`` or ``?article=`` fills it in from that page."""
    member = request.membership
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
        if form.is_valid():
            announcement = actions.do_save_draft(
                member, form.cleaned_data["key"], form.cleaned_data
            )
            messages.success(request, _("The draft has been saved. Check it, then send it."))
            return redirect(_url("detail", announcement))
        count = _audience_count(AudienceForm(request.POST), member.network_id)
        return _composer(request, form, None, count, status=400)
    initial = prefill_from(member, request.GET)
    form = AnnouncementForm(initial=initial)
    count = audience_members(member.network_id, initial.get("audience", "all")).count()
    return _composer(request, form, None, count)


@operator_required
def edit(request: NetworkRequest, announcement_id: int) -> HttpResponse:
    member = request.membership
    announcement = access_announcement(member, announcement_id)
    if not announcement.is_draft:
        messages.info(request, SENT_ALREADY)
        return redirect(_url("detail", announcement))
    if request.method == "POST":
        form = AnnouncementForm(request.POST, instance=announcement)
        form.fields["key"].required = False
        if form.is_valid():
            try:
                actions.do_edit_draft(member, announcement, form.cleaned_data)
            except actions.AlreadySent:
                messages.info(request, SENT_ALREADY)
            else:
                messages.success(request, _("The draft has been saved. Check it, then send it."))
            return redirect(_url("detail", announcement))
        count = _audience_count(AudienceForm(request.POST), member.network_id)
        return _composer(request, form, announcement, count, status=400)
    form = AnnouncementForm(instance=announcement, initial={"key": announcement.key})
    count = announcement_audience(announcement).count()
    return _composer(request, form, announcement, count)


def _composer(
    request: NetworkRequest,
    form: AnnouncementForm,
    announcement: Announcement | None,
    count: int | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "announce/compose.html",
        {
            "form": form,
            "announcement": announcement,
            "audience_count": count,
            "allowance": allowance(request.membership.network),
        },
        status=status,
    )


@operator_required
def audience_count(request: NetworkRequest) -> HttpResponse:
    """The number of members the composer's audience reaches now, as the operator changes it."""
    form = AudienceForm(request.GET)
    count = _audience_count(form, request.membership.network_id)
    return render(
        request,
        "announce/fragment_count.html",
        {"audience_count": count, "form": form},
        # htmx swaps only a 2xx answer: the composer then says what to correct.
        status=200 if count is not None or request.htmx else 400,
    )


def _live_counts(announcement: Announcement) -> dict[str, int]:
    if not announcement.in_progress:
        return {
            DeliveryState.SENT: announcement.sent_count,
            DeliveryState.SKIPPED: announcement.skipped_count,
            DeliveryState.FAILED: announcement.failed_count,
            DeliveryState.GONE: announcement.gone_count,
        }
    rows = Delivery.objects.filter(network_id=announcement.network_id, announcement=announcement)
    return dict(rows.values_list("state").annotate(n=Count("id")).values_list("state", "n"))


def _detail_context(request: NetworkRequest, announcement: Announcement) -> dict[str, Any]:
    member = request.membership
    context: dict[str, Any] = {
        "announcement": announcement,
        "body_html": render_markdown(announcement.body),
    }
    if announcement.is_draft:
        context.update(
            {
                "audience_count": announcement_audience(announcement).count(),
                "allowance": allowance(member.network),
                "send_form": SendForm(
                    initial={"key": announcement.key, "revision": announcement.revision}
                ),
            }
        )
    else:
        counts = _live_counts(announcement)
        context["counts"] = {
            "recipients": announcement.audience_size,
            "sent": counts.get(DeliveryState.SENT, 0),
            "skipped": counts.get(DeliveryState.SKIPPED, 0),
            "failed": counts.get(DeliveryState.FAILED, 0),
            "gone": counts.get(DeliveryState.GONE, 0),
            "waiting": counts.get(DeliveryState.PENDING, 0),
        }
    return context


@operator_required
def detail(request: NetworkRequest, announcement_id: int) -> HttpResponse:
    announcement = access_announcement(request.membership, announcement_id)
    context = _detail_context(request, announcement)
    if request.htmx and not announcement.is_draft:
        return render(request, "announce/fragment_status.html", context)
    return render(request, "announce/detail.html", context)


@operator_required
def preview(request: NetworkRequest, announcement_id: int) -> HttpResponse:
    """The mail as a chosen member of the audience would get it, in their language; choosing a
    member is audited."""
    operator = request.membership
    announcement = access_announcement(operator, announcement_id)
    query = request.GET.get("q", "")
    found = list(search_audience(operator, announcement, query)) if "q" in request.GET else None
    if found is not None:
        actions.do_note_audience_listed(operator, announcement, query, len(found))
    context: dict[str, Any] = {"announcement": announcement, "query": query, "found": found}
    if request.GET.get("member"):
        target = access_audience_member(operator, announcement, request.GET["member"])
        actions.do_preview(operator, announcement, target)
        mail = mail_context(operator.network, announcement, target.user)
        # The member's own unsubscribe link is theirs, not the operator's to follow.
        mail["unsubscribe_url"] = ""
        with translation.override(target.user.language or settings.LANGUAGE_CODE):
            subject = subject_for(announcement)
        context.update(mail)
        context.update({"target": target, "subject": subject})
    return render(request, "announce/preview.html", context)


@operator_required
@require_POST
def send_test(request: NetworkRequest, announcement_id: int) -> HttpResponse:
    announcement = access_announcement(request.membership, announcement_id)
    address = actions.do_send_test(request.membership, announcement)
    messages.success(
        request, _("A test is on its way to %(email)s. It does not count.") % {"email": address}
    )
    return redirect(_url("detail", announcement))


@operator_required
@require_POST
def send(request: NetworkRequest, announcement_id: int) -> HttpResponse:
    member = request.membership
    announcement = access_announcement(member, announcement_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _refused(request, announcement, _("This form is incomplete. Open the page again."))
    try:
        started = actions.do_send_announcement(
            member, announcement, form.cleaned_data["key"], form.cleaned_data["revision"]
        )
    except ValidationError as error:
        return _refused(request, announcement, " ".join(error.messages))
    if started:
        messages.success(
            request,
            _("The announcement is being sent, %(rate)d e-mails a minute.")
            % {"rate": actions.chunk_size()},
        )
    else:
        messages.info(request, _("This announcement has already been sent."))
    return redirect(_url("detail", announcement))


def _refused(request: NetworkRequest, announcement: Announcement, reason: str) -> HttpResponse:
    context = _detail_context(request, announcement)
    context["refusal"] = reason
    return render(request, "announce/detail.html", context, status=400)


@operator_required
@require_POST
def delete(request: NetworkRequest, announcement_id: int) -> HttpResponse:
    member = request.membership
    announcement = access_announcement(member, announcement_id)
    try:
        actions.do_delete_draft(member, announcement)
    except actions.AlreadySent:
        messages.info(request, SENT_ALREADY)
        return redirect(_url("detail", announcement))
    messages.success(request, _("The draft has been deleted."))
    return redirect("announce:list", network_slug=member.network.slug)
