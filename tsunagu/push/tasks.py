"""Pushing notifications to members' devices: one task per notification and device, each tried,
retried and given up on its own, as notification e-mails are."""

from __future__ import annotations

import logging
from collections import defaultdict

from celery import Task, shared_task
from django_scopes import scope, scopes_disabled

from tsunagu.accounts import delivery
from tsunagu.notify.kinds import KINDS, PUSH
from tsunagu.notify.models import Notification, NotificationPreference
from tsunagu.notify.reads import wants
from tsunagu.tenancy.models import Network

from . import sending
from .access import filter_push_recipients, push_enabled
from .actions import do_forget_subscription, do_note_push_failed, do_note_pushed
from .forms import is_push_service
from .models import PushSubscription

logger = logging.getLogger(__name__)


def queue_pushes(network: Network, notification_ids: list[int]) -> None:
    """Called by notify() inside its transaction (the transport the app registers in its
    ready()): the pushes are queued once it commits."""
    if not push_enabled() or not notification_ids:
        return
    from tsunagu.core.queue import queue_after_commit

    queue_after_commit(send_pushes, network.pk, list(notification_ids))


@shared_task(acks_late=True)
def send_pushes(network_id: int, notification_ids: list[int]) -> int:
    """Queues one push per notification and device of its recipient, for the recipients who
    may and want to receive it; returns how many were queued."""
    if not push_enabled():
        return 0
    with scopes_disabled():
        recipients = Notification.objects.filter(
            network_id=network_id, pk__in=notification_ids
        ).values("recipient_id")
        # Most members have no device: one question, and done.
        if not PushSubscription.objects.filter(user_id__in=recipients).exists():
            return 0
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    with scope(network=network):
        notifications = list(
            Notification.objects.filter(network=network, pk__in=notification_ids).only(
                "pk", "recipient_id", "kind"
            )
        )
        allowed = filter_push_recipients(network, {n.recipient_id for n in notifications})
        wanted = _wanting_push(network, {(n.recipient_id, n.kind) for n in notifications})
        devices: dict[int, list[int]] = defaultdict(list)
        for pk, user_id in PushSubscription.objects.filter(user_id__in=allowed).values_list(
            "pk", "user_id"
        ):
            devices[user_id].append(pk)
        queued = 0
        for notification in notifications:
            if (notification.recipient_id, notification.kind) not in wanted:
                continue
            for device_id in devices.get(notification.recipient_id, []):
                send_push.delay(network.pk, notification.pk, device_id)
                queued += 1
        return queued


def _wanting_push(network: Network, pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (member, kind) pairs that take pushes: notify.reads.wants(), asked for all at once
    (the member's choice, else the kind's default). send_push asks wants() again before sending."""
    rows = NotificationPreference.objects.filter(
        network=network,
        user_id__in={user_id for user_id, _kind in pairs},
        kind__in={kind for _user_id, kind in pairs},
        push__isnull=False,
    ).values_list("user_id", "kind", "push")
    chosen = {(user_id, kind): push for user_id, kind, push in rows}
    wanted = set()
    for user_id, kind in pairs:
        default = KINDS[kind].push_by_default if kind in KINDS else False
        if chosen.get((user_id, kind), default):
            wanted.add((user_id, kind))
    return wanted


@shared_task(bind=True, acks_late=True)
def send_push(task: Task, network_id: int, notification_id: int, subscription_id: int) -> bool:
    """Pushes the notification to one device of its recipient; true when the push service took
    it. At every try it asks again whether the recipient is an active member who wants it, and
    sends nothing once the notification has been read."""
    if not push_enabled():
        return False
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return False
    with scope(network=network):
        notification = (
            Notification.objects.filter(network=network, pk=notification_id, read_at__isnull=True)
            .select_related("recipient")
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        device = PushSubscription.objects.filter(pk=subscription_id, user=recipient).first()
        if device is None or not is_push_service(device.endpoint):
            return False  # removed, now another account's, or a service no longer allowed
        if not filter_push_recipients(network, [recipient.pk]):
            return False
        if not wants(network, recipient.pk, notification.kind, PUSH):
            return False
        try:
            sending.push(
                device,
                sending.payload(network, notification),
                urgency=sending.urgency_of(notification),
            )
        except sending.NotPushed as failure:
            if failure.gone:
                do_forget_subscription(device.pk, failure.reason)
                return False
            do_note_push_failed(device.pk, failure.reason)
            logger.warning("push %s to device %s failed: %s", notification_id, device.pk, failure)
            retry_later(task, failure)
            return False
        do_note_pushed(device.pk)
        return True


def retry_later(task: Task, failure: sending.NotPushed) -> None:
    """Raises Celery's Retry to try again after the next pause (those of e-mail delivery).

    Returns instead, for the caller to give up, when the failure is final, the tries are spent,
    or the task runs in the web process (no broker: no queue would keep the retry, and the page
    that caused the push must not wait or fail for it)."""
    request = task.request
    retries = request.retries or 0
    if failure.final or request.is_eager or request.called_directly or retries >= delivery.RETRIES:
        return
    raise task.retry(exc=failure, countdown=delivery.pause(retries), max_retries=delivery.RETRIES)
