"""Recording what members do, from the saves of the apps that own it.

The apps that own the posts know nothing of insights: it listens to their saves (a row created)
and to ``tenancy.signals.member_seen`` (a visit let through by ``do_note_seen``).

Rows written without a signal are not recorded as they happen; ``backfill_activity`` derives
them afterwards. Such paths today: ``bulk_create()`` of demo comments (``boards/demo.py``) and
demo registrations (``seed_demo``), and the test fixtures ``fill_room`` and ``add_comments``.
Production paths (``do_*`` actions) all save row by row, talk messages included.

What is recorded, kind by kind:

- thread, comment (boards and news), article, life update: on creation;
- message: on creation, in rooms that are not private. In a direct message, a group chat or a
  conversation with the office, only the day's ``posted`` flag is set: no row names the
  message, its room or its text;
- stamp: a stamp on a thread, comment or article, and in talk rooms that are not private (a
  stamp in a private conversation only marks the day);
- welcome: a welcome stamp given to a newcomer on the home feed;
- RSVP: an event registration, when first made (applying again after cancelling is the same
  registration, not a second one);
- attendance: when organisers mark a registration as attended, dated at the start of the event
  (or when marked, if earlier); resetting it does not withdraw the record;
- application: an application to join, made before the person is a member (their pending
  membership, null once it is rejected and removed);
- survey answer: a member's first response to a named survey (``surveys.Participation``, as
  the response's key is no number; editing it later is the same answer). A response to an
  anonymous survey is not recorded at all, not even as an active day: a row naming the member
  with a time would tell when they answered, and the answer's own rows lie beside that moment
  (``surveys/models.py``). Anonymous answers are counted in the survey's results only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_save
from django.dispatch import Signal
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.boards import models as boards
from tsunagu.careers import models as careers
from tsunagu.careers.signals import hired
from tsunagu.events.models import Event, Registration, RegistrationStatus
from tsunagu.feed.models import Welcome
from tsunagu.news import models as news
from tsunagu.onboarding.models import Application
from tsunagu.profiles.models import LifeUpdate
from tsunagu.surveys.models import Anonymity, Participation, Survey
from tsunagu.talk import models as talk
from tsunagu.tenancy.models import Membership, Role
from tsunagu.tenancy.signals import member_seen

from .actions import do_note_day, do_record_contribution, do_record_visit
from .ledger import propose_outcome
from .models import ContributionKind
from .programme_models import OutcomeKind

Kind = ContributionKind
Member = tuple[int, str]  # (membership id, role)


def _member(instance: Model, field_name: str) -> Member | None:
    """The member a row names, with their role now: from the row when it carries them."""
    field = instance._meta.get_field(field_name)
    if field.is_cached(instance):  # type: ignore[union-attr]
        member = getattr(instance, field_name)
        return None if member is None else (member.pk, member.role)
    member_id = getattr(instance, field.attname)  # type: ignore[union-attr]
    if member_id is None:
        return None
    with scopes_disabled():
        role = Membership.objects.filter(pk=member_id).values_list("role", flat=True).first()
    return None if role is None else (member_id, role)


def _member_of_user(network_id: int, user_id: int) -> Member | None:
    with scope(network=network_id):
        return Membership.objects.filter(user_id=user_id).values_list("pk", "role").first()


def _record(instance: Any, kind: str, member: Member | None, at: datetime) -> None:
    do_record_contribution(
        network_id=instance.network_id,
        member_id=member[0] if member else None,
        role=member[1] if member else Role.ALUMNI,
        kind=kind,
        source=instance._meta.label_lower,
        object_id=instance.pk,
        at=at,
    )


def _is_private(message: talk.Message | None, message_id: int) -> bool:
    if message is not None and talk.Message.room.is_cached(message):
        return message.room.is_private
    with scopes_disabled():
        kind = (
            talk.Message.objects.filter(pk=message_id).values_list("room__kind", flat=True).first()
        )
    return kind in talk.PRIVATE_KINDS


# Models whose new rows are contributions of the member named in a field.
SIMPLE: list[tuple[type[Model], str, str]] = [
    (boards.Thread, Kind.THREAD, "author"),
    (boards.Comment, Kind.COMMENT, "author"),
    (news.Article, Kind.ARTICLE, "author"),
    (news.Comment, Kind.COMMENT, "author"),
    (LifeUpdate, Kind.LIFE_UPDATE, "membership"),
    (boards.Reaction, Kind.STAMP, "member"),
    (news.Reaction, Kind.STAMP, "member"),
    (Welcome, Kind.WELCOME, "member"),
]
KIND_OF = {model: (kind, field) for model, kind, field in SIMPLE}


def _created(sender: type[Model], instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if not created or raw:
        return
    kind, field = KIND_OF[sender]
    member = _member(instance, field)
    if member is not None:
        _record(instance, kind, member, instance.created_at)


def _message_created(
    sender: type[Model], instance: talk.Message, created: bool, raw: bool, **kwargs: Any
) -> None:
    if not created or raw:
        return
    member = _member(instance, "sender")
    if member is None:
        return
    if _is_private(instance, instance.pk):
        do_note_day(instance.network_id, member[0], member[1], instance.created_at, posted=True)
    else:
        _record(instance, Kind.MESSAGE, member, instance.created_at)


def _talk_stamp_created(
    sender: type[Model], instance: talk.Reaction, created: bool, raw: bool, **kwargs: Any
) -> None:
    if not created or raw:
        return
    member = _member(instance, "member")
    if member is None:
        return
    cached = instance.message if talk.Reaction.message.is_cached(instance) else None
    if _is_private(cached, instance.message_id):
        do_note_day(instance.network_id, member[0], member[1], instance.created_at)
    else:
        _record(instance, Kind.STAMP, member, instance.created_at)


def _registration_saved(
    sender: type[Model], instance: Registration, created: bool, raw: bool, **kwargs: Any
) -> None:
    if raw:
        return
    if created:
        member = _member_of_user(instance.network_id, instance.user_id)
        if member is not None:
            _record(instance, Kind.RSVP, member, instance.applied_at)
        return
    update_fields = kwargs.get("update_fields")
    if instance.status != RegistrationStatus.ATTENDED:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    with scope(network=instance.network_id):
        starts_at = Event.objects.filter(pk=instance.event_id).values_list("starts_at", flat=True)
        start = starts_at.first()
    now = timezone.now()
    member = _member_of_user(instance.network_id, instance.user_id)
    if member is not None:
        _record(instance, Kind.ATTENDANCE, member, min(now, start) if start else now)


def _application_created(
    sender: type[Model], instance: Application, created: bool, raw: bool, **kwargs: Any
) -> None:
    if not created or raw:
        return
    member = _member_of_user(instance.network_id, instance.user_id)
    _record(instance, Kind.APPLICATION, member, instance.created_at)


def _survey_answered(
    sender: type[Model], instance: Participation, created: bool, raw: bool, **kwargs: Any
) -> None:
    if not created or raw or _is_anonymous(instance):
        return
    member = _member_of_user(instance.network_id, instance.user_id)
    if member is not None:
        _record(instance, Kind.SURVEY_ANSWER, member, timezone.now())


def _is_anonymous(participation: Participation) -> bool:
    if Participation.survey.is_cached(participation):
        return participation.survey.is_anonymous
    with scopes_disabled():
        found = Survey.objects.filter(pk=participation.survey_id).values_list("anonymity")
        # A survey that is gone is treated as anonymous: nothing is recorded.
        return found.first() != (Anonymity.NAMED,)


def _member_seen(sender: Any, membership_id: int, at: datetime, **kwargs: Any) -> None:
    do_record_visit(membership_id, at)


# What a hire through an opportunity proposes to the outcome ledger; operators confirm it (and
# may change the kind). A career hire in an alumni network is someone coming back.
HIRE_OUTCOMES: dict[str, str] = {
    careers.Kind.COMEBACK: OutcomeKind.COMEBACK_HIRE,
    careers.Kind.CAREER: OutcomeKind.COMEBACK_HIRE,
    careers.Kind.REFERRAL: OutcomeKind.REFERRAL_HIRE,
    careers.Kind.SIDE_JOB: OutcomeKind.SIDE_JOB,
    careers.Kind.OUTSOURCING: OutcomeKind.OUTSOURCING,
    careers.Kind.COLLABORATION: OutcomeKind.BUSINESS_DEAL,
}


def _hired(
    sender: Any, network_id: int, application_id: int, kind: str, on: date, **kwargs: Any
) -> None:
    """A hire through an opportunity is proposed to the ledger, naming the member hired (the
    ledger shows names to operators only)."""
    with scope(network=network_id):
        member_id = (
            careers.Application.objects.filter(pk=application_id)
            .values_list("member_id", flat=True)
            .first()
        )
    propose_outcome(
        network_id,
        kind=HIRE_OUTCOMES.get(kind, OutcomeKind.COMEBACK_HIRE),
        on=on,
        source="careers.application",
        source_id=application_id,
        member_ids=[member_id] if member_id else [],
    )


RECEIVERS: list[tuple[Signal, Callable[..., None], Any]] = [
    *((post_save, _created, model) for model, _kind, _field in SIMPLE),
    (post_save, _message_created, talk.Message),
    (post_save, _talk_stamp_created, talk.Reaction),
    (post_save, _registration_saved, Registration),
    (post_save, _application_created, Application),
    (post_save, _survey_answered, Participation),
    (member_seen, _member_seen, Membership),
    (hired, _hired, careers.Application),
]


def _uid(receiver: Callable[..., None], sender: Any) -> str:
    return f"insights-{receiver.__name__}-{sender._meta.label_lower}"


def connect() -> None:
    for signal, receiver, sender in RECEIVERS:
        signal.connect(receiver, sender=sender, dispatch_uid=_uid(receiver, sender))


def disconnect() -> None:
    """Stops recording: for the benchmark's baseline, and to build a past without records."""
    for signal, receiver, sender in RECEIVERS:
        signal.disconnect(receiver, sender=sender, dispatch_uid=_uid(receiver, sender))
