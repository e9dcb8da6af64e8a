"""Co-hosted events: the owner's operators invite linked networks, the partners' operators
answer, the partners' members see and apply from their own network, and each side's operators
read the attendees as the rules of collab.access let them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from tsunagu.events.calendar import build_calendar
from tsunagu.events.models import SEATED, Registration, RegistrationStatus
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.requests import NetworkRequest

from . import cohosting
from .access import (
    access_attendee_event,
    access_guest_event,
    access_invitation,
    access_own_event,
    check_operator_permission,
    cohost_rows_of,
    filter_guest_cohosts,
    invitable_links,
)
from .attendees import attendees_for
from .forms import CoHostAnswerForm, CoHostEndForm, GuestApplyForm, InviteCoHostForm
from .models import CoHost, CoHostState


@operator_required
def cohosts(request: NetworkRequest) -> HttpResponse:
    """Invitations to co-host other networks' events, and the events co-hosted now."""
    member = request.membership
    check_operator_permission(member)
    with scopes_disabled():
        rows = list(
            CoHost.objects.of_network(member.network_id)
            .filter(state__in=(CoHostState.INVITED, CoHostState.ACCEPTED))
            .select_related("event", "network", "partner")
            .order_by("event__starts_at", "pk")
        )
    live = {row.pk for row in filter_guest_cohosts(member)}
    return render(
        request,
        "collab/cohosts.html",
        {
            "invited": [r for r in rows if r.partner_id == member.network_id and r.is_invited],
            "guest": [r for r in rows if r.pk in live],
            "owned": [r for r in rows if r.network_id == member.network_id],
        },
    )


def _manage_page(
    request: NetworkRequest, event_id: int, form: InviteCoHostForm | None = None, status: int = 200
) -> HttpResponse:
    member = request.membership
    event = access_own_event(member, event_id)
    links = invitable_links(member, event)
    choices = [(link.pk, link.other_name(member.network_id)) for link in links]
    return render(
        request,
        "collab/cohost_manage.html",
        {
            "event": event,
            "rows": cohost_rows_of(event),
            "form": form or InviteCoHostForm(links=choices),
        },
        status=status,
    )


@operator_required
def cohost_manage(request: NetworkRequest, event_id: int) -> HttpResponse:
    """The owner's operators: who co-hosts the event, and inviting a linked network."""
    member = request.membership
    if request.method != "POST":
        return _manage_page(request, event_id)
    event = access_own_event(member, event_id)
    choices = [(ln.pk, ln.other_name(member.network_id)) for ln in invitable_links(member, event)]
    form = InviteCoHostForm(request.POST, links=choices)
    if form.is_valid():
        try:
            cohosting.do_invite_cohost(
                member, event, form.cleaned_data["link"], form.chosen_quota()
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("The invitation was sent to its operators."))
            slug = request.network.slug
            return redirect("collab:cohost_manage", network_slug=slug, event_id=event.pk)
    return _manage_page(request, event_id, form, status=400)


@operator_required
@require_POST
def cohost_answer(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    row = access_invitation(member, event_id)
    form = CoHostAnswerForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    try:
        cohosting.do_answer_cohost(member, row, accept=form.cleaned_data["decision"] == "accept")
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Your answer was recorded."))
    return redirect("collab:cohosts", network_slug=request.network.slug)


@operator_required
@require_POST
def cohost_end(request: NetworkRequest, event_id: int) -> HttpResponse:
    """Either side ends a co-hosting: the owner names the partner, a partner ends its own."""
    member = request.membership
    form = CoHostEndForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    partner = form.cleaned_data["partner"]
    if partner:
        event = access_own_event(member, event_id)
        row = next((r for r in cohost_rows_of(event) if r.partner_id == partner), None)
    else:
        row = access_invitation(member, event_id)
    if row is None:
        raise Http404
    try:
        cohosting.do_end_cohost(member, row)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("The co-hosting was ended."))
    if partner:
        slug = request.network.slug
        return redirect("collab:cohost_manage", network_slug=slug, event_id=event_id)
    return redirect("collab:cohosts", network_slug=request.network.slug)


def _places_left(row: CoHost) -> int | None:
    limit = row.event.capacity if row.quota is None else row.quota
    if limit is None:
        return None
    return max(limit - cohosting.places_taken(row), 0)


@member_required
def cohost_event(request: NetworkRequest, event_id: int) -> HttpResponse:
    """A co-hosted event as a partner's member sees it, from their own network."""
    member = request.membership
    row = access_guest_event(member, event_id)
    # A member of both networks who applied in the other is shown their application here too.
    mine = Registration._base_manager.filter(event_id=row.event_id, user_id=member.user_id).first()
    live = mine if mine is not None and mine.is_live else None
    return render(
        request,
        "collab/cohost_event.html",
        {
            "row": row,
            "event": row.event,
            "mine": live,
            "mine_label": dict(RegistrationStatus.choices)[live.status] if live else "",
            "places_left": _places_left(row),
            "show_online_url": live is not None and live.holds_seat,
        },
    )


@member_required
@require_POST
def cohost_register(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    row = access_guest_event(member, event_id)
    form = GuestApplyForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    try:
        if form.cleaned_data["action"] == "apply":
            registration = cohosting.do_guest_register(member, row)
            if registration.status == RegistrationStatus.WAITLISTED:
                messages.success(request, _("The event is full: you are on the waiting list."))
            else:
                messages.success(request, _("Your place is confirmed. See you there!"))
        else:
            cohosting.do_guest_cancel(member, row)
            messages.success(request, _("Your application has been cancelled."))
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    return redirect("collab:cohost_event", network_slug=request.network.slug, event_id=event_id)


@operator_required
def cohost_attendees(request: NetworkRequest, event_id: int) -> HttpResponse:
    """The attendees of a co-hosted event for the operators of the owner and of each partner:
    their own members in full, the others as they chose to share, the rest as counts."""
    member = request.membership
    event, live = access_attendee_event(member, event_id)
    found = attendees_for(member, event, live)
    return render(
        request,
        "collab/cohost_attendees.html",
        {
            "event": event,
            "attendees": found.attendees,
            "figures": found.figures,
            "is_owner": event.network_id == member.network_id,
        },
    )


@member_required
def cohost_ics(request: NetworkRequest, event_id: int) -> HttpResponse:
    """The co-hosted event as a calendar file, with the partner's own address of it; the
    meeting URL only for a member who holds a place."""
    member = request.membership
    row = access_guest_event(member, event_id)
    seated = Registration._base_manager.filter(
        event_id=row.event_id, user_id=member.user_id, status__in=SEATED
    ).exists()
    content = build_calendar(
        row.event.title,
        [row.event],
        show_online_url_for={row.event_id} if seated else set(),
        paths={row.event_id: cohosting.guest_url(row)},
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{row.event_id}.ics"'
    return response
