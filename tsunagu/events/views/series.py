"""Series of dates with a presenter each."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import (
    access_event,
    check_create_event_permission,
    filter_events_for,
)
from ..forms import (
    SeriesForm,
)
from ..models import (
    Event,
    Series,
)


@member_required
def series_create(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_create_event_permission(member)
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        series = actions.do_create_series(member, form.cleaned_data)
        messages.success(request, _("The series and its dates have been created."))
        return redirect("events:series", network_slug=member.network.slug, series_id=series.pk)
    return render(request, "events/series_form.html", {"form": form})


@member_required
def series_detail(request: NetworkRequest, series_id: int) -> HttpResponse:
    """Every date of a series with its presenter: members take a free date; all see who is next."""
    member = request.membership
    series = access_in_network(member, Series.objects.all(), series_id)
    events = list(
        filter_events_for(member, Event.objects.filter(series=series))
        .select_related("presenter")
        .order_by("starts_at", "id")
    )
    now = timezone.now()
    upcoming = [e for e in events if e.starts_at > now]
    return render(
        request,
        "events/series_detail.html",
        {
            "series": series,
            "events": events,
            "next_event": upcoming[0] if upcoming else None,
            "now": now,
        },
    )


@member_required
@require_POST
def event_present(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    present = request.POST.get("action") != "withdraw"
    try:
        actions.do_set_presenter(member, event, present)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if present:
            messages.success(request, _("You are the presenter of this date. Thank you!"))
        else:
            messages.success(request, _("You are no longer the presenter of this date."))
    if event.series_id is None:
        return redirect(event.get_absolute_url())
    return redirect("events:series", network_slug=member.network.slug, series_id=event.series_id)
