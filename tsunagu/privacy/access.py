"""Who may do what with exports and erasures: a person, with their own only."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.tenancy.models import Membership, Role, Status

from .models import DataExport, Erasure


def access_export(user: User, export_id: int) -> DataExport:
    """The person's own export; someone else's is missing (404), as is one never made."""
    try:
        return DataExport.objects.get(pk=export_id, user_id=user.pk)
    except DataExport.DoesNotExist:
        raise Http404 from None


def next_export_at(user: User) -> datetime | None:
    """When the person may ask again, or None when they may now."""
    last = DataExport.objects.filter(user_id=user.pk).order_by("-requested_at").first()
    if last is None or last.requested_at + DataExport.EVERY <= timezone.now():
        return None
    return last.requested_at + DataExport.EVERY


def networks_needing_a_handover(user: User) -> list[str]:
    """Networks where the person is the last active operator: they must hand over first."""
    with scopes_disabled():
        theirs = Membership.objects.filter(
            user_id=user.pk, role=Role.OPERATOR, status=Status.ACTIVE
        ).select_related("network")
        return [
            m.network.name
            for m in theirs
            if not Membership.objects.filter(
                network_id=m.network_id, role=Role.OPERATOR, status=Status.ACTIVE
            )
            .exclude(user_id=user.pk)
            .exists()
        ]


def check_erasure_permission(user: User) -> None:
    networks = networks_needing_a_handover(user)
    if networks:
        raise ValidationError(
            _(
                "You are the last operator of %(networks)s. Make another member an operator "
                "before you delete your account."
            )
            % {"networks": "、".join(networks)},
            code="last_operator",
        )


def pending_erasure(user: User) -> Erasure | None:
    return Erasure.objects.filter(
        user_id=user.pk, cancelled_at__isnull=True, done_at__isnull=True
    ).first()
