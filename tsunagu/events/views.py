from __future__ import annotations

import calendar as pycalendar
import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core import caching
from tsunagu.core.csvsafe import csv_safe
from tsunagu.core.storage import image_response, serves_upload
from tsunagu.profiles.indexing import filter_by_name
from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import name_or_none
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, listing
from .access import (
    access_calendar_feed,
    access_event,
    access_event_for_reader,
    access_registration,
    calendar_feed_token,
    can_create_events,
    can_manage_event,
    check_create_event_permission,
    check_manage_event_permission,
    filter_events_for,
    may_apply,
    may_give_feedback,
    organiser_candidates,
)
from .calendar import build_calendar
from .figures import event_figures, monthly_figures
from .forms import (
    ApplyForm,
    DescriptionImageForm,
    EventFilterForm,
    EventForm,
    ReportForm,
    SeriesForm,
)
from .models import (
    LIVE,
    SEATED,
    Event,
    Organiser,
    Photo,
    Registration,
    RegistrationStatus,
    Series,
)
from .signals import series_key

PAGE_SIZE = 20
PARTICIPANTS_PAGE_SIZE = 200


@dataclass
class ListPage:
    """A page of the list without counting the list: the next page is known to exist when one
    more event than a page holds comes back (thousands of past events are never counted)."""

    events: list[listing.ListedEvent]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@member_required
def event_list(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = EventFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    past = data.get("when") == "past"
    try:
        number = max(1, min(int(request.GET.get("page") or 1), 10_000))
    except ValueError:
        number = 1
    found = listing.events_page(
        member,
        now=timezone.now(),
        past=past,
        category=data.get("category") or "",
        words=(data.get("q") or "").split(),
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE + 1,  # one more than a page: is there a next page?
    )
    page = ListPage(found[:PAGE_SIZE], number, len(found) > PAGE_SIZE)
    # Counted for the page's events only: an aggregate over the whole list would read every
    # registration of thousands of past events to show twenty.
    taken, mine = listing.seats_and_mine(member, [e.pk for e in page.events])
    statuses = dict(RegistrationStatus.choices)
    last_visit = actions.do_record_list_visit(member)
    events = page.events
    for event in events:
        event.seats = taken.get(event.pk, 0)
        status = mine.get(event.pk)
        event.my_status = str(statuses[status]) if status in LIVE else ""
        event.is_new = (
            last_visit is not None
            and event.created_at > last_visit
            and not past
            and not event.called_off_at
        )
    rows = caching.cached_rows(
        caching.key("events", "list", member.network.slug),
        events,
        lambda e: f"{e.pk}:{e.updated_at.timestamp()}:{e.seats}",
        lambda e: render_to_string("events/list_row.html", {"event": e.event, "request": request}),
        prepare=listing.load_events,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/list.html",
        {
            "form": form,
            "page": page,
            "items_html": _list_items(events, rows, past),
            "filters": {
                "q": data.get("q") or "",
                "category": data.get("category") or "",
                "when": data.get("when") or "upcoming",
            },
            "categories": form.fields["category"].choices,  # type: ignore[attr-defined]
            "whens": form.fields["when"].choices,  # type: ignore[attr-defined]
            "past": past,
            "query": query.urlencode(),
            "can_create": can_create_events(member),
            "series": _series_of(member.network_id),
            "feed_token": calendar_feed_token(member),
        },
    )


def _list_items(
    events: list[listing.ListedEvent], rows: list[SafeString], past: bool
) -> SafeString:
    """The list's items: each event's shared row with the member's own marks around it."""
    if not events:
        empty = _("No past events match.") if past else _("No upcoming events match.")
        return format_html('<li class="empty">{}</li>', empty)
    new = format_html(' <span class="badge--new">{}</span>', _("New"))
    return mark_safe(  # noqa: S308 - rows are our templates' output; the rest escaped here
        "".join(
            f'<li class="event-item">{row}{new if event.is_new else ""}'
            + (
                f' <span class="chip chip--operator">{escape(event.my_status)}</span>'
                if event.my_status
                else ""
            )
            + "</li>"
            for event, row in zip(events, rows, strict=True)
        )
    )


def _series_of(network_id: int) -> list[dict[str, object]]:
    """The network's series for the list's chips, kept until one is saved or deleted."""

    def load() -> list[Any]:
        return list(Series.objects.filter(network_id=network_id).values("pk", "title"))

    return caching.cached(series_key(network_id), load, caching.HOUR)


@member_required
def event_month(request: NetworkRequest) -> HttpResponse:
    """A month calendar: the weeks of the month with each day's events."""
    member = request.membership
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
        if not 2000 <= year <= 2999:
            raise ValueError
    except (TypeError, ValueError):
        first = today.replace(day=1)
    weeks = pycalendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    tz = timezone.get_current_timezone()
    start = datetime.combine(weeks[0][0], time.min, tzinfo=tz)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), time.min, tzinfo=tz)
    events = filter_events_for(
        member, Event.objects.filter(starts_at__gte=start, starts_at__lt=end)
    ).order_by("starts_at", "id")
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(timezone.localdate(event.starts_at), []).append(event)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "events/month.html",
        {
            "month": first,
            "today": today,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
        },
    )


PAGE_TIMEOUT = 10 * 60  # bounds how long a renamed member's old name can show


def _shared_detail(event: Event) -> dict[str, Any]:
    """What the event page lists the same way for every reader (organisers, participants,
    photos), cached under the event's revision, which their every change moves on."""
    # Per language: a former member's label is in it.
    key = caching.key("events", "page", event.pk, event.revision, language=True)

    def build() -> dict[str, Any]:
        former = _("former member")
        member_status = Membership.objects.filter(
            network_id=event.network_id, user_id=OuterRef("user_id")
        ).values("status")[:1]
        return {
            "organisers": [
                name_or_none(name, status) or former
                for name, status in Organiser.objects.filter(event=event)
                .order_by("id")
                .values_list("membership__user__name", "membership__status")
            ],
            # Joined once: a general assembly lists hundreds of names.
            "participants": "".join(
                f"<li>{escape(name_or_none(name, status) or former)}</li>"
                for name, status in Registration.objects.filter(event=event, status__in=SEATED)
                .annotate(member_status=Subquery(member_status))
                .order_by("applied_at", "id")
                .values_list("user__name", "member_status")
            ),
            "photos": list(
                Photo.objects.filter(event=event, in_description=False).values("pk", "caption")
            ),
        }

    return caching.cached(key, build, PAGE_TIMEOUT)


def _detail_context(
    request: NetworkRequest,
    event: Event,
    apply_form: ApplyForm,
) -> dict:
    """``event`` comes from access_event_for_reader(), with the reader's own parts."""
    member = request.membership
    # Whether the reader organises it comes with the statement that loaded the event.
    manager = can_manage_event(member, event, organiser=event.i_organise)  # type: ignore[attr-defined]
    mine: Registration | None = event.mine  # type: ignore[attr-defined]
    seats: int = event.seats  # type: ignore[attr-defined]
    shared = _shared_detail(event)
    holds_seat = mine is not None and mine.holds_seat
    return {
        "photos": shared["photos"] if event.is_past else [],
        # The feedback form is the event's survey (events:feedback leads to it).
        "may_give_feedback": may_give_feedback(member, event, mine),
        "event": event,
        "manager": manager,
        "mine": mine if mine is not None and mine.is_live else None,
        "declined": mine is not None and mine.status == RegistrationStatus.DECLINED,
        "seats": seats,
        "seats_left": None if event.capacity is None else max(event.capacity - seats, 0),
        "waiting": event.waiting,  # type: ignore[attr-defined]
        "participants_html": (
            mark_safe(shared["participants"])  # noqa: S308 - every name escaped above
            if event.show_participants or manager
            else ""
        ),
        "organisers": shared["organisers"],
        "show_online_url": holds_seat or manager,
        "may_apply": may_apply(member, event),
        "apply_form": apply_form,
    }


@member_required
def event_detail(request: NetworkRequest, event_id: int) -> HttpResponse:
    event = access_event_for_reader(request.membership, event_id)
    form = ApplyForm(questions=event.questions)
    return render(request, "events/detail.html", _detail_context(request, event, form))


def _event_form(request: NetworkRequest, event: Event | None, *, bound: bool = True) -> EventForm:
    member = request.membership
    instance = event or Event(network=member.network)
    seats = actions.seats_taken(event) if event is not None else 0
    organiser_ids = (
        list(Organiser.objects.filter(event=event).values_list("membership_id", flat=True))
        if event is not None
        else None
    )
    form = EventForm(
        (request.POST or None) if bound else None,
        (request.FILES or None) if bound else None,
        instance=instance,
        candidates=organiser_candidates(member),
        seats_taken=seats,
        organiser_ids=organiser_ids,
    )
    if not member.is_operator:
        del form.fields["organisers"]  # operators choose who runs an event
    return form


@member_required
def event_create(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_create_event_permission(member)
    form = _event_form(request, None)
    if request.method == "POST" and form.is_valid():
        event = actions.do_create_event(member, form)
        messages.success(request, _("The event has been created."))
        return redirect(event.get_absolute_url())
    return render(request, "events/form.html", {"form": form, "event": None})


@member_required
def event_edit(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    check_manage_event_permission(member, event)
    form = _event_form(request, event)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_event(member, form)
        except ValidationError as error:
            form.add_error("capacity", error)
        else:
            messages.success(request, _("The event has been saved."))
            return redirect(event.get_absolute_url())
    return render(request, "events/form.html", _edit_context(event, form))


def _edit_context(
    event: Event, form: EventForm, image_form: DescriptionImageForm | None = None
) -> dict[str, object]:
    images = list(Photo.objects.filter(event=event, in_description=True))
    for image in images:
        image.event = event  # its address names the event and its network: loaded once
    return {
        "form": form,
        "event": event,
        "image_form": image_form or DescriptionImageForm(),
        "images": [(image, actions.description_image_markdown(image)) for image in images],
        "deletable": not Registration.objects.filter(event=event, status__in=LIVE).exists(),
    }


@member_required
@require_POST
def event_description_image(request: NetworkRequest, event_id: int) -> HttpResponse:
    """Organisers add an image to the description: stored privately, appended as Markdown."""
    member = request.membership
    event = access_event(member, event_id)
    check_manage_event_permission(member, event)
    image_form = DescriptionImageForm(request.POST, request.FILES)
    if not image_form.is_valid():
        context = _edit_context(event, _event_form(request, event, bound=False), image_form)
        return render(request, "events/form.html", context, status=400)
    actions.do_add_description_image(
        member, event, image_form.cleaned_data["image"], image_form.cleaned_data["caption"]
    )
    messages.success(request, _("The image has been added at the end of the description."))
    return redirect("events:edit", network_slug=request.network.slug, event_id=event.pk)


@member_required
@require_POST
def event_delete(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    check_manage_event_permission(member, event)
    try:
        actions.do_delete_event(member, event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(event.get_absolute_url())
    messages.success(request, _("The event has been deleted."))
    return redirect("events:list", network_slug=request.network.slug)


@member_required
@require_POST
def event_register(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    form = ApplyForm(request.POST, questions=event.questions)
    if not form.is_valid():
        event = access_event_for_reader(member, event.pk)
        return render(request, "events/detail.html", _detail_context(request, event, form))
    try:
        registration = actions.do_register(member, event, form.answers())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, REGISTERED_MESSAGES[registration.status]())
    return redirect(event.get_absolute_url())


@member_required
def event_feedback(request: NetworkRequest, event_id: int) -> HttpResponse:
    """The feedback form is the event's survey: participants (and its organisers) are taken to
    it once the event has ended; it is made on the first visit if the follow-up has not run."""
    from tsunagu.surveys.event_feedback import ensure_feedback_survey, feedback_survey
    from tsunagu.surveys.tasks import survey_url

    member = request.membership
    event = access_event(member, event_id)
    registration = Registration.objects.filter(event=event, user_id=member.user_id).first()
    if event.is_past and (
        may_give_feedback(member, event, registration) or can_manage_event(member, event)
    ):
        return redirect(survey_url(ensure_feedback_survey(event)))
    survey = feedback_survey(event)
    if survey is not None and can_manage_event(member, event):
        return redirect(survey_url(survey))
    messages.info(request, _("Only participants can rate an event, once it has ended."))
    return redirect(event.get_absolute_url())


@member_required
def event_report(request: NetworkRequest, event_id: int) -> HttpResponse:
    """Organisers write the report, add photos, and read the participants' feedback."""
    member = request.membership
    event = access_event(member, event_id)
    check_manage_event_permission(member, event)
    form = ReportForm(request.POST or None, request.FILES or None, initial={"report": event.report})
    if request.method == "POST" and form.is_valid():
        actions.do_post_report(
            member,
            event,
            form.cleaned_data["report"],
            form.cleaned_data.get("photo"),
            form.cleaned_data["caption"],
        )
        messages.success(request, _("The report has been saved."))
        return redirect("events:report", network_slug=member.network.slug, event_id=event.pk)
    from tsunagu.surveys.event_feedback import feedback_survey

    return render(
        request,
        "events/report.html",
        {
            "event": event,
            "form": form,
            "photos": list(Photo.objects.filter(event=event, in_description=False)),
            "feedback_survey": feedback_survey(event),
        },
    )


REGISTERED_MESSAGES: dict[str, Callable[[], str]] = {
    RegistrationStatus.CONFIRMED: lambda: _("Your place is confirmed. See you there!"),
    RegistrationStatus.WAITLISTED: lambda: _(
        "The event is full: you are on the waiting list. We will tell you if a place frees."
    ),
    RegistrationStatus.PENDING: lambda: _(
        "Your application has been sent. The organisers will confirm it."
    ),
}


@member_required
@require_POST
def event_call_off(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    check_manage_event_permission(member, event)
    reason = request.POST.get("reason", "")
    if len(reason) > 1000:
        messages.error(request, _("Keep the reason under 1,000 characters."))
        return redirect(event.get_absolute_url())
    try:
        actions.do_call_off_event(member, event, reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event has been called off; its applicants are told."))
    return redirect(event.get_absolute_url())


@member_required
@require_POST
def event_cancel(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    try:
        actions.do_cancel_registration(member, event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your application has been cancelled."))
    return redirect(event.get_absolute_url())


@member_required
def event_participants(request: NetworkRequest, event_id: int) -> HttpResponse:
    """The organisers' list: approvals, and check-in at the door with a search box."""
    member = request.membership
    event = access_event(member, event_id)
    check_manage_event_permission(member, event)
    qs = Registration.objects.filter(event=event).select_related("user")
    q = request.GET.get("q", "").strip()[:100]
    for word in q.split()[:5]:
        # A name as typed at the door: without its space, in kana or romaji, either kanji form.
        named = filter_by_name(Membership.objects.filter(network_id=event.network_id), word)
        qs = qs.filter(Q(user_id__in=named.values("user_id")) | Q(user__email__icontains=word))
    status = request.GET.get("status", "")
    if status in RegistrationStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
        qs = qs.exclude(status__in=[RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED])
    registrations = list(qs.order_by("user__name", "id")[:PARTICIPANTS_PAGE_SIZE])
    context = {
        "event": event,
        "registrations": registrations,
        "q": q,
        "status": status,
        "statuses": RegistrationStatus.choices,
        "counts": _status_counts(event),
    }
    template = "events/participants.html"
    if request.htmx:
        template = "events/fragment_participants.html"
    return render(request, template, context)


def _status_counts(event: Event) -> list[tuple[object, int]]:
    counts = dict(
        Registration.objects.filter(event=event)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        (label, counts[value]) for value, label in RegistrationStatus.choices if value in counts
    ]


@member_required
@require_POST
def registration_update(
    request: NetworkRequest, event_id: int, registration_id: int
) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    check_manage_event_permission(member, event)
    registration = access_registration(member, event, registration_id)
    action = request.POST.get("action", "")
    error = ""
    try:
        registration = actions.do_update_registration(member, event, registration, action)
    except ValidationError as e:
        error = " ".join(e.messages)
    if request.htmx:
        return render(
            request,
            "events/fragment_registration_row.html",
            {"event": event, "r": registration, "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect("events:participants", network_slug=member.network.slug, event_id=event.pk)


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


@serves_upload
@member_required
def event_cover(request: NetworkRequest, event_id: int) -> FileResponse:
    """The cover image, to members who may see the event (never a public address)."""
    event = access_event(request.membership, event_id)
    if not event.cover:
        raise Http404
    return image_response(event.cover)


@serves_upload
@member_required
def event_photo(request: NetworkRequest, event_id: int, photo_id: int) -> FileResponse:
    """A photo of the event's report, to members who may see the event."""
    event = access_event(request.membership, event_id)
    photo = Photo.objects.filter(event=event, pk=photo_id).first()
    if photo is None:
        raise Http404
    return image_response(photo.image)


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
    if which == "mine":
        applied = Registration.objects.filter(
            network=network, user_id=user_id, status__in=LIVE
        ).values("event_id")
        events = events.filter(pk__in=applied)
    content = build_calendar(
        network.name, events.order_by("starts_at", "id")[:500], show_online_url_for=seated
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


def _started_events(member: Membership) -> list[Event]:
    return list(
        Event.objects.filter(network=member.network, starts_at__lte=timezone.now())
        .order_by("-starts_at", "-id")
        .only("id", "title", "starts_at", "capacity")
    )


@operator_required
def figures(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    rows = event_figures(member.network, _started_events(member))
    return render(
        request,
        "events/figures.html",
        {"rows": rows[:FIGURES_EVENTS], "months": monthly_figures(rows)[:FIGURES_MONTHS]},
    )


FIGURES_EVENTS = 100
FIGURES_MONTHS = 24


@operator_required
def figures_csv(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    rows = event_figures(member.network, _started_events(member))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    by_month = request.GET.get("by") == "month"
    name = "event-figures-by-month.csv" if by_month else "event-figures.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # lets Excel open UTF-8 Japanese correctly
    writer = csv.writer(response)
    if by_month:
        writer.writerow(
            [_("Month"), _("Events"), _("Registrations"), _("Attended"), _("No-shows"),
             _("Repeat rate")]
        )  # fmt: skip
        for m in monthly_figures(rows):
            writer.writerow(
                [m.month, m.events, m.registrations, m.attended, m.no_shows, _rate(m.repeat_rate)]
            )
        return response
    writer.writerow(
        [
            _("Event"),
            _("Starts"),
            _("Capacity"),
            _("Registrations"),
            _("Confirmed"),
            _("Waiting"),
            _("Attended"),
            _("No-shows"),
            _("Repeat rate"),
        ]
    )
    for row in reversed(rows):  # oldest first
        writer.writerow(
            [
                csv_safe(row.title),  # a spreadsheet shows it, never runs it
                timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M"),
                row.capacity if row.capacity is not None else "",
                row.registrations,
                row.confirmed,
                row.waitlisted,
                row.attended,
                row.no_shows,
                _rate(row.repeat_rate),
            ]
        )
    return response


def _rate(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""


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
