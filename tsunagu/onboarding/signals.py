from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.actions import do_note_seen
from tsunagu.tenancy.models import Membership, Status

from .joins import remember_join


@receiver(user_logged_in)
def note_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with scopes_disabled():
        ids = list(
            Membership.objects.filter(user=user, status=Status.ACTIVE).values_list("pk", flat=True)
        )
    for membership_id in ids:
        do_note_seen(membership_id)


@receiver(user_signed_up)
def keep_the_invitation(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Signing up from an invitation or link page: keep that page with the new account."""
    if request is None:
        return
    target = request.POST.get("next") or request.GET.get("next") or ""
    remember_join(user, target)
