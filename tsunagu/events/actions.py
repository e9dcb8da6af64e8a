"""Every write to events and registrations goes through these functions."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.core import caching, revisions
from tsunagu.core.feedtokens import forget_version
from tsunagu.notify.actions import notify
from tsunagu.tenancy.models import Membership

from .access import (
    calendar_feed_version,
    check_create_event_permission,
    check_manage_event_permission,
    check_rotate_calendar_feed_permission,
    filter_audience_members,
    may_apply,
)
from .forms import EventForm
from .models import (
    LIVE,
    SEATED,
    Cadence,
    CalendarFeedKey,
    Event,
    ListVisit,
    Organiser,
    Photo,
    Registration,
    RegistrationStatus,
    Series,
)
from .signals import forget_organisers

if TYPE_CHECKING:
    from tsunagu.accounts.models import User


def lock_event(event: Event) -> Event:
    """Re-reads the event with its row locked until the transaction ends.

    Every change to who holds a place goes through here first, so two applications for the last
    place are decided one after the other: on PostgreSQL by the row lock, on SQLite because
    transactions are IMMEDIATE and take the database's write lock when they begin.
    """
    return Event.objects.select_for_update().get(pk=event.pk, network_id=event.network_id)


def seats_taken(event: Event) -> int:
    """The places the event's capacity counts: its network's members and those of the networks
    co-hosting it that share its places (collab), but not those of a partner with places kept
    for its members (a quota, counted by collab)."""
    from tsunagu.collab.access import own_pool_partners

    return (
        Registration._base_manager.filter(event_id=event.pk, status__in=SEATED)
        .exclude(network_id__in=own_pool_partners(event.pk))
        .count()
    )


def has_free_seat(event: Event) -> bool:
    return event.capacity is None or seats_taken(event) < event.capacity


def _set_organisers(event: Event, memberships: Any) -> None:
    wanted = {m.pk for m in memberships}
    current = set(Organiser.objects.filter(event=event).values_list("membership_id", flat=True))
    Organiser.objects.filter(event=event, membership_id__in=current - wanted).delete()
    Organiser.objects.bulk_create(
        [
            Organiser(network_id=event.network_id, event=event, membership_id=pk)
            for pk in sorted(wanted - current)
        ]
    )
    revisions.bump(Event, event.pk)  # a bulk insert sends no signals
    forget_organisers(wanted - current)


@transaction.atomic
def do_create_event(member: Membership, form: EventForm) -> Event:
    check_create_event_permission(member)
    event = form.save(commit=False)
    event.network = member.network
    event.created_by = member.user
    event.save()
    organisers = list(form.cleaned_data.get("organisers") or [])
    if not member.is_operator and member not in organisers:
        organisers.append(member)  # a supporter who creates an event runs it
    _set_organisers(event, organisers)
    _announce(event, member)
    return event


def _announce(event: Event, member: Membership, audience_before: str | None = None) -> None:
    """Tells the members who may see a new event (or, with ``audience_before``, those its wider
    audience now admits) that it exists; an event that is over is news to nobody."""
    if event.ends_at <= timezone.now() or event.called_off_at is not None:
        return
    audience = filter_audience_members(event, audience_before=audience_before)
    notify(
        event.network,
        audience.values_list("user_id", flat=True),
        "event_new",
        params={"title": event.title},
        url=event.get_absolute_url(),
        actor=member.user,
    )


@transaction.atomic
def do_update_event(member: Membership, form: EventForm) -> Event:
    event = lock_event(form.instance)
    check_manage_event_permission(member, event)
    if form.cleaned_data.get("capacity") is not None and form.cleaned_data[
        "capacity"
    ] < seats_taken(event):
        # Seats were taken between showing the form and saving it.
        raise ValidationError(_("More people now hold a place than this capacity allows."))
    if form.instance.starts_at != event.starts_at:
        form.instance.reminded_at = None  # a new date deserves a new reminder
    previous = event.cover.name if event.cover else ""
    audience_before = event.audience
    event = form.save()
    if previous and previous != (event.cover.name if event.cover else ""):
        # A replaced or removed cover is a private file nobody can reach any more: delete it.
        storage = event.cover.storage
        transaction.on_commit(lambda: storage.delete(previous))
    if "organisers" in form.cleaned_data and member.is_operator:
        _set_organisers(event, form.cleaned_data["organisers"])
    if event.audience != audience_before:
        _announce(event, member, audience_before=audience_before)
    _promote_waiting(event)
    return event


def _notify(event: Event, users: list[int], kind: str, actor: User | None = None) -> None:
    if users:
        notify(
            event.network,
            users,
            kind,
            params={"title": event.title},
            url=event.get_absolute_url(),
            actor=actor,
        )


def _promote_waiting(event: Event) -> list[Registration]:
    """Gives free places to the waiting list, first come first served; the event is locked."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - seats_taken(event)
        if free <= 0:
            return []
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
    promoted = list(waiting.order_by("applied_at", "id")[:free] if free else waiting)
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
    _notify(event, [r.user_id for r in promoted], "event_confirmed")
    return promoted


@transaction.atomic
def do_register(
    member: Membership, event: Event, answers: list[dict[str, str]] | None = None
) -> Registration:
    """Applies for a place: confirmed while places remain, then waitlisted (or refused)."""
    event = lock_event(event)
    if not may_apply(member, event):
        raise PermissionDenied
    if not event.is_open:
        raise ValidationError(_("Applications for this event are closed."))
    # Unscoped: a member of a network co-hosting it too may have applied from there (collab).
    existing = Registration._base_manager.filter(event=event, user_id=member.user_id).first()
    if existing is not None and existing.is_live:
        raise ValidationError(_("You have already applied for this event."))
    if existing is not None and existing.status == RegistrationStatus.DECLINED:
        raise ValidationError(_("Your application to this event was not accepted."))
    if event.needs_approval:
        status = RegistrationStatus.PENDING
    elif has_free_seat(event):
        status = RegistrationStatus.CONFIRMED
    elif event.waitlist:
        status = RegistrationStatus.WAITLISTED
    else:
        raise ValidationError(_("This event is full."))
    registration = existing or Registration(event=event, user_id=member.user_id)
    registration.network_id = event.network_id
    registration.status = status
    registration.answers = answers or []
    registration.applied_at = timezone.now()
    registration.save()
    if status == RegistrationStatus.PENDING:
        notify(
            event.network,
            _approvers(event),
            "event_application",
            params={"title": event.title, "name": member.user.name},
            url=reverse(
                "events:participants",
                kwargs={"network_slug": event.network.slug, "event_id": event.pk},
            )
            + "?status=pending",
            actor=member.user,
        )
    return registration


def _approvers(event: Event) -> list[int]:
    """The event's organisers; the network's operators when it names none."""
    from tsunagu.tenancy.access import filter_active_members
    from tsunagu.tenancy.models import Role

    organisers = list(
        Organiser.objects.filter(event=event).values_list("membership__user_id", flat=True)
    )
    if organisers:
        return organisers
    return list(
        filter_active_members(event.network)
        .filter(role=Role.OPERATOR)
        .values_list("user_id", flat=True)
    )


# The applications a member may still cancel.
CANCELLABLE = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)


def cancel_registration(event: Event, registration: Registration | None) -> Registration:
    """Cancels the member's live application to the (locked) event, while cancelling is open;
    whoever calls it gives the freed place away (each network serves its own waiting list)."""
    if registration is None:
        raise ValidationError(_("You have no application to cancel."))
    if registration.status == RegistrationStatus.CONFIRMED and not event.can_cancel_now:
        raise ValidationError(
            _("Cancellation closed. Please contact the organisers if you cannot come.")
        )
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    return registration


@transaction.atomic
def do_cancel_registration(member: Membership, event: Event) -> Registration:
    event = lock_event(event)
    mine = Registration.objects.filter(event=event, user_id=member.user_id, status__in=CANCELLABLE)
    registration = cancel_registration(event, mine.first())
    _promote_waiting(event)
    return registration


@transaction.atomic
def do_call_off_event(member: Membership, event: Event, reason: str) -> Event:
    """Organisers or operators call an event off: no more applications, everyone is told."""
    event = lock_event(event)
    check_manage_event_permission(member, event)
    if event.called_off_at is not None:
        raise ValidationError(_("This event has already been called off."))
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over; it can no longer be called off."))
    event.called_off_at = timezone.now()
    event.call_off_reason = reason.strip()[:1000]
    event.save(update_fields=["called_off_at", "call_off_reason"])
    user_ids = list(
        Registration.objects.filter(event=event, status__in=LIVE).values_list("user_id", flat=True)
    )
    if user_ids:
        notify(
            member.network,
            user_ids,
            "event_called_off",
            params={"title": event.title},
            body=event.call_off_reason,
            url=event.get_absolute_url(),
            actor=member.user,
        )
    from tsunagu.collab.cohosting import notify_partner_members

    # Members of networks co-hosting it applied from their own network (collab).
    notify_partner_members(
        event, "event_called_off", LIVE, {"title": event.title}, body=event.call_off_reason
    )
    return event


ORGANISER_ACTIONS = ("approve", "decline", "attended", "no_show", "reset")


@transaction.atomic
def do_update_registration(
    member: Membership, event: Event, registration: Registration, action: str
) -> Registration:
    """What organisers do with one application: approve, decline, or record attendance."""
    event = lock_event(event)
    check_manage_event_permission(member, event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk, event=event)
    status = registration.status
    S = RegistrationStatus
    if action == "approve" and status == S.PENDING:
        if has_free_seat(event):
            registration.status = S.CONFIRMED
        elif event.waitlist:
            registration.status = S.WAITLISTED
        else:
            raise ValidationError(_("This event is full."))
    elif action == "decline" and status in (S.PENDING, S.WAITLISTED, S.CONFIRMED):
        registration.status = S.DECLINED
    elif action == "attended" and status in SEATED:
        registration.status = S.ATTENDED
    elif action == "no_show" and status in SEATED:
        registration.status = S.NO_SHOW
    elif action == "reset" and status in (S.ATTENDED, S.NO_SHOW):
        registration.status = S.CONFIRMED
    else:
        raise ValidationError(_("This cannot be done with this application."))
    registration.save(update_fields=["status", "updated_at"])
    if registration.status == S.CONFIRMED and status == S.PENDING:
        _notify(event, [registration.user_id], "event_confirmed", actor=member.user)
    if registration.status == S.DECLINED:
        _notify(event, [registration.user_id], "event_declined", actor=member.user)
        _promote_waiting(event)
    return registration


VISIT_GAP = timedelta(minutes=30)


def list_visit_key(member: Membership) -> str:
    return caching.key("events", "list-visit", member.pk)


def do_record_list_visit(member: Membership, found: dict[str, Any] | None = None) -> Any:
    """Notes a view of the list; answers since when events count as new (None: the first visit).
    ``found``: what the view read of the cache already (``list_visit_key``).

    A view within ``VISIT_GAP`` of the last belongs to the same visit and writes nothing.
    """
    now = timezone.now()
    visit = list_visit_key(member)
    # (seen_at, new_since): a view during the visit reads no row.
    known = found.get(visit) if found is not None else caching.read(visit)
    if known is not None and now - known[0] < VISIT_GAP:
        return known[1]
    visits = ListVisit.objects.filter(network_id=member.network_id, user_id=member.user_id)
    last = visits.values_list("seen_at", "new_since").first()
    if last is None:
        ListVisit.objects.get_or_create(
            network_id=member.network_id, user_id=member.user_id, defaults={"seen_at": now}
        )
        caching.store(visit, (now, None), int(VISIT_GAP.total_seconds()))
        return None
    seen_at, new_since = last
    if now - seen_at >= VISIT_GAP:
        visits.update(seen_at=now, new_since=seen_at)
        seen_at, new_since = now, seen_at
    caching.store(visit, (seen_at, new_since), int(VISIT_GAP.total_seconds()))
    return new_since


@transaction.atomic
def do_post_report(
    member: Membership, event: Event, report: str, photo: Any = None, caption: str = ""
) -> Event:
    event = lock_event(event)
    check_manage_event_permission(member, event)
    event.report = report
    event.save(update_fields=["report", "updated_at"])
    if photo:
        Photo.objects.create(
            network_id=event.network_id,
            event=event,
            image=photo,
            caption=caption,
            posted_by=member.user,
        )
    return event


@transaction.atomic
def do_add_description_image(member: Membership, event: Event, image: Any, caption: str) -> Photo:
    """Stores an image for the description and appends it there, where organisers may move it."""
    event = lock_event(event)
    check_manage_event_permission(member, event)
    photo = Photo.objects.create(
        network_id=event.network_id,
        event=event,
        image=image,
        caption=caption,
        posted_by=member.user,
        in_description=True,
    )
    event.description = f"{event.description.rstrip()}\n\n{description_image_markdown(photo)}"
    event.save(update_fields=["description", "description_html", "updated_at"])
    return photo


def description_image_markdown(photo: Photo) -> str:
    url = reverse(
        "events:photo",
        kwargs={
            "network_slug": photo.event.network.slug,
            "event_id": photo.event_id,
            "photo_id": photo.pk,
        },
    )
    caption = photo.caption.replace("[", "(").replace("]", ")")
    return f"![{caption}]({url})"


@transaction.atomic
def do_delete_event(member: Membership, event: Event) -> None:
    """Deletes an event nobody has applied for; one with applicants is called off instead."""
    event = lock_event(event)
    check_manage_event_permission(member, event)
    if Registration.objects.filter(event=event, status__in=LIVE).exists():
        raise ValidationError(
            _("People have applied for this event: call it off instead, so that they are told.")
        )
    files = [photo.image for photo in Photo.objects.filter(event=event)]
    files += [event.cover] if event.cover else []
    event.delete()

    def delete_files() -> None:
        for stored in files:
            stored.delete(save=False)

    transaction.on_commit(delete_files)


def _add_months(moment: Any, months: int) -> Any:
    """The same day and time ``months`` later; the 31st becomes the month's last day."""
    import calendar

    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@transaction.atomic
def do_create_series(member: Membership, data: dict[str, Any]) -> Series:
    """Creates the series and one event per date, in the site's time zone (so a weekly 8:00
    stays at 8:00)."""

    check_create_event_permission(member)
    series = Series.objects.create(
        network=member.network,
        title=data["title"],
        description=data.get("description", ""),
        cadence=data["cadence"],
        created_by=member.user,
    )
    first = timezone.localtime(data["first_starts_at"])
    length = timedelta(minutes=data["duration"])
    for n in range(data["occurrences"]):
        if data["cadence"] == Cadence.MONTHLY:
            starts = _add_months(first, n)
        else:
            starts = first + timedelta(weeks=n)
        starts = timezone.make_aware(starts.replace(tzinfo=None))  # the same wall-clock time
        Event.objects.create(
            network=member.network,
            series=series,
            title=data["title"],
            category=data["category"],
            starts_at=starts,
            ends_at=starts + length,
            venue=data.get("venue", ""),
            online_url=data.get("online_url", ""),
            capacity=data.get("capacity"),
            description=data.get("description", ""),
            created_by=member.user,
        )
    if not member.is_operator:
        for event in series.events.all():
            _set_organisers(event, [member])
    opening = series.events.order_by("starts_at").first()
    if opening is not None:
        _announce(opening, member)  # one notification for the series, at its first date
    return series


@transaction.atomic
def do_set_presenter(member: Membership, event: Event, present: bool) -> Event:
    """A member takes a date of a series as its presenter, or gives it back."""
    event = lock_event(event)
    if event.series_id is None or not may_apply(member, event):
        raise PermissionDenied
    if event.starts_at <= timezone.now():
        raise ValidationError(_("This date has passed."))
    if present:
        if event.presenter_id is not None:
            raise ValidationError(_("Someone has already taken this date."))
        event.presenter_id = member.user_id
    else:
        if event.presenter_id != member.user_id:
            raise ValidationError(_("You are not the presenter of this date."))
        event.presenter = None
    event.save(update_fields=["presenter", "updated_at"])
    return event


@transaction.atomic
def do_rotate_calendar_feed(member: Membership) -> int:
    """New calendar feed addresses for the member; the old ones answer 404 from now on.
    Returns the new version."""
    check_rotate_calendar_feed_permission(member)
    key, _created = CalendarFeedKey.objects.get_or_create(
        network_id=member.network_id, membership=member
    )
    CalendarFeedKey.objects.filter(pk=key.pk).update(version=F("version") + 1)
    forget_version("events", member.pk)
    return calendar_feed_version(member, found={})  # from the database: the entry is gone
