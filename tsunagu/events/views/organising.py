"""What organisers do: create and edit an event, its description's images, calling it off,
the report and the participants' list with approvals and check-in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.profiles.indexing import filter_by_name
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import (
    access_event,
    access_registration,
    check_create_event_permission,
    check_manage_event_permission,
    organiser_candidates,
)
from ..feedback import feedback_form
from ..forms import (
    DescriptionImageForm,
    EventForm,
    ReportForm,
)
from ..models import (
    LIVE,
    Event,
    Organiser,
    Photo,
    Registration,
    RegistrationStatus,
)

PARTICIPANTS_PAGE_SIZE = 200


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
    feedback = feedback_form()
    return render(
        request,
        "events/report.html",
        {
            "event": event,
            "form": form,
            "photos": list(Photo.objects.filter(event=event, in_description=False)),
            "feedback_results": (
                feedback.results_url(event, member.network.slug) if feedback is not None else None
            ),
        },
    )


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
