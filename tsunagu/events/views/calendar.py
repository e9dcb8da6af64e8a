"""iCalendar: one event's file, and each member's subscription feeds."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.collab.access import filter_guest_cohosts
from tsunagu.core.urls_cache import network_link
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import (
    access_calendar_feed,
    access_event,
    can_manage_event,
    filter_events_for,
)
from ..calendar import build_calendar
from ..models import (
    LIVE,
    SEATED,
    Event,
    Registration,
)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required
def event_ics(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    mine = Registration.objects.filter(event=event, user=request.user, status__in=SEATED)
    show = {event.pk} if mine.exists() or can_manage_event(member, event) else set()
    content = build_calendar(event.title, [event], show_online_url_for=show)
    return _ics_response(content, f"event-{event.pk}.ics")


FEED_DAYS_BACK = 90


def calendar_feed(
    request: HttpRequest, network_slug: str, feed_token: str, which: str
) -> HttpResponse:
    """A calendar application's subscription: no login, the secret token names the member.

    ``mine`` holds the events the member applied for; ``all`` every event they may see."""
    network = request.network  # type: ignore[attr-defined]
    if which not in ("mine", "all"):
        raise Http404
    member = access_calendar_feed(network, feed_token)
    user_id = member.user_id
    since = timezone.now() - timedelta(days=FEED_DAYS_BACK)
    events = filter_events_for(member, Event.objects.filter(ends_at__gte=since))
    seated = set(
        Registration.objects.filter(
            network=network, user_id=user_id, status__in=SEATED, event__ends_at__gte=since
        ).values_list("event_id", flat=True)
    )
    # Events of linked networks co-hosted with this one (collab), at the member's own address
    # of each; registrations for them carry this network.
    guests = [row for row in filter_guest_cohosts(member) if row.event.ends_at >= since]
    if which == "mine":
        applied = Registration.objects.filter(
            network=network, user_id=user_id, status__in=LIVE
        ).values("event_id")
        events = events.filter(pk__in=applied)
        applied_ids = {row["event_id"] for row in applied}
        guests = [row for row in guests if row.event_id in applied_ids]
    listed = [*events.order_by("starts_at", "id")[:500], *(row.event for row in guests[:500])]
    listed.sort(key=lambda event: (event.starts_at, event.pk))
    content = build_calendar(
        network.name,
        listed[:500],
        show_online_url_for=seated,
        paths={
            row.event_id: network_link(
                network.slug, "collab:cohost_event", "event_id", row.event_id
            )
            for row in guests
        },
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


@member_required
@require_POST
def calendar_feed_rotate(request: NetworkRequest) -> HttpResponse:
    """New calendar addresses for the member, for when the old ones went where they should not."""
    actions.do_rotate_calendar_feed(request.membership)
    messages.success(
        request,
        _(
            "Your calendar addresses have been renewed and the old ones no longer work. "
            "Subscribe to the new ones in your calendar application."
        ),
    )
    return redirect(
        reverse("events:list", kwargs={"network_slug": request.network.slug}) + "#calendar-feeds"
    )
