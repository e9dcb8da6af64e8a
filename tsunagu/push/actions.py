"""Every write of the push app: devices subscribing and leaving, and what the push services said."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import PushSubscription

if TYPE_CHECKING:
    from tsunagu.accounts.models import User

logger = logging.getLogger(__name__)

# The session remembers the device its browser subscribed, to forget it when the member signs out.
SESSION_DEVICE = "push_device"
# Devices kept per account: a new one beyond this pushes out the one subscribed longest ago.
MAX_DEVICES = 20


@transaction.atomic
def do_subscribe(
    user: User, *, endpoint: str, p256dh: str, auth: str, label: str
) -> tuple[PushSubscription, bool]:
    """Keeps the browser's subscription for ``user``; the flag says whether it is new to this
    account.

    A browser has one subscription whoever is signed in: when another account subscribes it, it
    becomes that account's (the other one had signed out of that browser or left it)."""
    device, created = PushSubscription.objects.select_for_update().get_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "label": label[:100]},
    )
    new_here = created or device.user_id != user.pk
    if not created:
        device.user = user
        device.p256dh, device.auth, device.label = p256dh, auth, label[:100]
        if new_here:
            device.created_at = timezone.now()
            device.last_success_at = None
        device.failures, device.last_error = 0, ""
        device.save()
    older = PushSubscription.objects.filter(user=user).order_by("-created_at", "-id")
    keep = list(older.values_list("pk", flat=True)[:MAX_DEVICES])
    PushSubscription.objects.filter(user=user).exclude(pk__in=keep).delete()
    return device, new_here


def do_unsubscribe(user: User, endpoint: str) -> bool:
    """The browser stopped its subscription; false when it was not this account's."""
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted > 0


def do_remove_device(user: User, device: PushSubscription) -> None:
    PushSubscription.objects.filter(user=user, pk=device.pk).delete()


def do_note_pushed(subscription_id: int) -> None:
    PushSubscription.objects.filter(pk=subscription_id).update(
        last_success_at=timezone.now(), failures=0, last_error=""
    )


def do_note_push_failed(subscription_id: int, reason: str) -> None:
    PushSubscription.objects.filter(pk=subscription_id).update(
        failures=F("failures") + 1, last_error=reason[:200]
    )


def do_forget_subscription(subscription_id: int, reason: str) -> None:
    """The push service says the subscription is gone (404, 410): the browser left it, or its
    user revoked the permission. Nothing will be sent to it again."""
    logger.info("push subscription %s removed: %s", subscription_id, reason)
    PushSubscription.objects.filter(pk=subscription_id).delete()


def do_remove_devices_of_session(user: User, session: Any) -> None:
    """The browser of this session signs out: the device it subscribed stops receiving."""
    device_id = session.get(SESSION_DEVICE)
    if isinstance(device_id, int):
        PushSubscription.objects.filter(user=user, pk=device_id).delete()
