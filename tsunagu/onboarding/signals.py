from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.tenancy.actions import do_note_seen
from tsunagu.tenancy.models import Membership, Status


@receiver(user_logged_in)
def note_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with scopes_disabled():
        ids = list(
            Membership.objects.filter(user=user, status=Status.ACTIVE).values_list("pk", flat=True)
        )
    for membership_id in ids:
        do_note_seen(membership_id)
