from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from tsunagu.core.queue import queue_after_commit
from tsunagu.realtime.events import send_event
from tsunagu.tenancy.models import Membership, Network, Status

from .kinds import CHANNELS, EMAIL, INAPP, KINDS, PUSH, get_kind
from .models import Notification, NotificationPreference, inbox
from .reads import choice, forget_bell_and_recent, unread_counts
from .transports import transports

if TYPE_CHECKING:
    from tsunagu.accounts.models import User


# Rows are written this many at a time: a new event for 10,000 members is 20 statements.
BATCH = 500


def notify(
    network: Network,
    recipients: Iterable[User | int] | QuerySet[Any],
    kind: str,
    *,
    params: dict[str, Any] | None = None,
    body: str = "",
    url: str = "",
    actor: User | None = None,
    mail: bool = True,
) -> list[Notification]:
    """Tells each recipient through the channels they keep for ``kind`` (their preference, else
    the kind's default): a notification in the app, then after commit the new unread count live,
    the pushes to their devices and the e-mail (none with ``mail=False``: the caller's own mail
    says it). A member who turned the app off but keeps e-mail or push gets a row that only
    carries them, never listed.

    ``recipients`` are users, user ids, or a query of user ids (for a whole audience). Only
    active members of ``network`` whose role the kind applies to are told: anyone else is
    dropped silently, so a caller's mistake can never tell an outsider about this network. The
    members and their choices are read in one query, whatever their number.
    """
    found = get_kind(kind)  # fails loudly for an unregistered kind
    if isinstance(recipients, QuerySet):
        members = Membership.objects.filter(user_id__in=recipients)
    else:
        ids = {r if isinstance(r, int) else r.pk for r in recipients}
        if not ids:
            return []
        members = Membership.objects.filter(user_id__in=ids)
    members = members.filter(network=network, status=Status.ACTIVE, user__is_active=True)
    if found.roles is not None:
        members = members.filter(role__in=found.roles)
    if actor is not None:
        members = members.exclude(user_id=actor.pk)
    chosen = NotificationPreference.objects.filter(
        network=network, kind=kind, user_id=OuterRef("user_id")
    )
    rows = (
        members.annotate(
            chosen_inapp=Subquery(chosen.values("inapp")[:1]),
            chosen_email=Subquery(chosen.values("email")[:1]),
            chosen_push=Subquery(chosen.values("push")[:1]),
        )
        .order_by("user_id")
        .values_list("user_id", "chosen_inapp", "chosen_email", "chosen_push")
    )
    params = {"network": network.name, **(params or {})}
    notifications, by_mail, by_push = [], [], []
    for user_id, chosen_inapp, chosen_email, chosen_push in rows:
        in_app = choice(found, INAPP, chosen_inapp)
        email = mail and choice(found, EMAIL, chosen_email)
        pushed = choice(found, PUSH, chosen_push)
        if not (in_app or email or pushed):
            continue
        notifications.append(
            Notification(
                network=network,
                recipient_id=user_id,
                actor=actor,
                kind=kind,
                params=params,
                body=body[:2000],
                url=url,
                in_app=in_app,
            )
        )
        by_mail.append(email)
        by_push.append(pushed)
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications, batch_size=BATCH)
    shown = [n.recipient_id for n in created if n.in_app]
    if shown:
        forget_bell_and_recent(network, shown)
        _push_unread_counts(network, shown)
    to_devices = [n.pk for n, pushed in zip(created, by_push, strict=True) if pushed]
    if to_devices:
        for send in transports(PUSH):  # the push app's: to the devices they subscribed
            send(network, to_devices)
    mailed = [n.pk for n, email in zip(created, by_mail, strict=True) if email]
    if mailed:
        from .tasks import send_notification_emails

        queue_after_commit(send_notification_emails, network.pk, mailed)
    return created


def _push_unread_counts(network: Network, user_ids: Iterable[int]) -> None:
    user_ids = list(user_ids)
    counts = unread_counts(network, user_ids)
    for user_id in user_ids:
        send_event(network, {"type": "notifications", "unread": counts.get(user_id, 0)}, [user_id])


def do_mark_read(network: Network, user: User, notification_ids: Iterable[int] | None) -> int:
    """Marks the user's notifications read (all of them when ``notification_ids`` is None)."""
    qs = inbox(network, user.pk).filter(read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    changed = qs.update(read_at=timezone.now())
    if changed:
        forget_bell_and_recent(network, [user.pk])
        _push_unread_counts(network, [user.pk])
    return changed


def do_resume_email(user: User) -> None:
    """The member says their mailbox takes mail again: notification e-mails to it resume. (A
    refused address pauses them, in every network: the refusal is the address's.)"""
    from tsunagu.accounts.delivery import forget_refusal

    forget_refusal(user.email)


def do_set_email_preference(network: Network, user: User, kind: str, email: bool) -> None:
    """One channel of one kind (the one-click unsubscribe): the other channels keep their
    choice."""
    get_kind(kind)
    NotificationPreference.objects.update_or_create(
        network=network, user=user, kind=kind, defaults={"email": email}
    )


@transaction.atomic
def do_save_preferences(member: Membership, choices: dict[str, dict[str, bool]]) -> None:
    """Saves the preferences page: for each kind of ``choices`` that applies to the member's
    role, whether they take it in the app, by e-mail and by push. A channel left at the kind's
    default is stored as no choice, so that it follows the default; the choices of kinds the
    page does not show the member (a former operator's) stay as they are."""
    shown = [key for key in choices if key in KINDS and KINDS[key].applies_to(member.role)]
    rows = []
    for key in shown:
        kind = KINDS[key]
        chosen = {
            channel: None
            if choices[key].get(channel, False) == kind.by_default(channel)
            else choices[key].get(channel, False)
            for channel in CHANNELS
        }
        rows.append(
            NotificationPreference(
                network=member.network, user_id=member.user_id, kind=key, **chosen
            )
        )
    mine = NotificationPreference.objects.filter(network=member.network, user_id=member.user_id)
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["network", "user", "kind"],
        update_fields=[*CHANNELS, "updated_at"],
    )
    # What the defaults decide needs no row.
    mine.filter(kind__in=shown, inapp=None, email=None, push=None).delete()
