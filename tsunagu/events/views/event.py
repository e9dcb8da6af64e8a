"""An event's page, and what a member does there: apply, cancel, give feedback; its cover
and photos."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core import caching, shared
from tsunagu.core.storage import image_response, serves_upload
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import name_or_none
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import (
    access_event,
    access_event_for_reader,
    can_manage_event,
    may_apply,
    may_give_feedback,
)
from ..feedback import feedback_form
from ..forms import (
    ApplyForm,
)
from ..models import (
    SEATED,
    Event,
    Organiser,
    Photo,
    Registration,
    RegistrationStatus,
)
from ..queries import ReaderEvent

PAGE_TIMEOUT = 10 * 60  # bounds how long a renamed member's old name can show


def _shared_detail(event: Event) -> shared.Block:
    """What the event page lists the same way for every reader: the participants (the block's
    HTML: a general assembly lists hundreds of names), the organisers and the photos (its
    facts), cached under the event's revision, which their every change moves on."""
    # Per language: a former member's label is in it.
    key = caching.key("events", "page", event.pk, event.revision, language=True)

    def build() -> shared.Block:
        former = _("former member")
        member_status = Membership.objects.filter(
            network_id=event.network_id, user_id=OuterRef("user_id")
        ).values("status")[:1]
        participants = [
            name_or_none(name, status) or former
            for name, status in Registration.objects.filter(event=event, status__in=SEATED)
            .annotate(member_status=Subquery(member_status))
            .order_by("applied_at", "id")
            .values_list("user__name", "member_status")
        ]
        html = render_to_string("events/_participants.html", {"names": participants})
        return shared.Block(
            html,
            {
                "organisers": [
                    name_or_none(name, status) or former
                    for name, status in Organiser.objects.filter(event=event)
                    .order_by("id")
                    .values_list("membership__user__name", "membership__status")
                ],
                "photos": list(
                    Photo.objects.filter(event=event, in_description=False).values("pk", "caption")
                ),
            },
        )

    return shared.block(key, build, PAGE_TIMEOUT)


def _detail_context(
    request: NetworkRequest,
    found: ReaderEvent,
    apply_form: ApplyForm,
) -> dict:
    """``found`` comes from access_event_for_reader(), with the reader's own parts."""
    member = request.membership
    event, mine, seats = found.event, found.mine, found.seats
    # Whether the reader organises it comes with the statement that loaded the event.
    manager = can_manage_event(member, event, organiser=found.i_organise)
    lists = _shared_detail(event)
    holds_seat = mine is not None and mine.holds_seat
    return {
        "photos": lists.facts["photos"] if event.is_past else [],
        # The feedback form is the event's survey (events:feedback leads to it).
        "may_give_feedback": may_give_feedback(member, event, mine),
        "event": event,
        "manager": manager,
        "mine": mine if mine is not None and mine.is_live else None,
        "declined": mine is not None and mine.status == RegistrationStatus.DECLINED,
        "seats": seats,
        "seats_left": None if event.capacity is None else max(event.capacity - seats, 0),
        "waiting": found.waiting,
        "participants_html": (
            lists.fill({}, where="event page") if event.show_participants or manager else ""
        ),
        "organisers": lists.facts["organisers"],
        "show_online_url": holds_seat or manager,
        "may_apply": may_apply(member, event),
        "apply_form": apply_form,
    }


@member_required
def event_detail(request: NetworkRequest, event_id: int) -> HttpResponse:
    found = access_event_for_reader(request.membership, event_id)
    form = ApplyForm(questions=found.event.questions)
    return render(request, "events/detail.html", _detail_context(request, found, form))


@member_required
@require_POST
def event_register(request: NetworkRequest, event_id: int) -> HttpResponse:
    member = request.membership
    event = access_event(member, event_id)
    form = ApplyForm(request.POST, questions=event.questions)
    if not form.is_valid():
        found = access_event_for_reader(member, event.pk)
        return render(request, "events/detail.html", _detail_context(request, found, form))
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
    member = request.membership
    event = access_event(member, event_id)
    feedback = feedback_form()
    registration = Registration.objects.filter(event=event, user_id=member.user_id).first()
    if feedback is not None and (
        event.is_past
        and (may_give_feedback(member, event, registration) or can_manage_event(member, event))
    ):
        return redirect(feedback.open(event, request.network.slug))
    url = feedback.answer_url(event, request.network.slug) if feedback is not None else None
    if url is not None and can_manage_event(member, event):
        return redirect(url)
    messages.info(request, _("Only participants can rate an event, once it has ended."))
    return redirect(event.get_absolute_url())


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
