"""Who may touch a device, and who may receive a push. A device is its user's own: another user's
is missing (404); a push for a network reaches only its active members with an active account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from tsunagu.tenancy.models import Membership, Network, Status

from .models import PushSubscription

if TYPE_CHECKING:
    from tsunagu.accounts.models import User


def push_enabled() -> bool:
    """Push is on when the site has its VAPID pair; otherwise nothing is offered or sent."""
    return bool(settings.TSUNAGU_VAPID_PRIVATE_KEY and settings.TSUNAGU_VAPID_PUBLIC_KEY)


def devices_of(user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user)


def access_device(user: User, subscription_id: int) -> PushSubscription:
    """The user's own device; 404 for a device that is missing or someone else's alike."""
    device = devices_of(user).filter(pk=subscription_id).first()
    if device is None:
        raise Http404
    return device


def filter_push_recipients(network: Network, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` who may receive pushes of ``network`` now: active members whose
    account is active. Asked again at every try, so a member who left, was suspended or was
    deactivated gets nothing more."""
    return set(
        Membership.objects.filter(
            network=network,
            user_id__in=list(user_ids),
            status=Status.ACTIVE,
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
