from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.tenancy.models import Membership

from .directory import follow_membership
from .indexing import reindex
from .models import Profile


@receiver(post_save, sender=Membership)
def give_every_membership_a_profile(
    sender: Any, instance: Membership, created: bool, **kw: Any
) -> None:
    if kw.get("raw"):
        return
    if created:
        profile = Profile.objects.create(membership=instance, network_id=instance.network_id)
        reindex(profile)
    elif {"role", "status"} & set(kw.get("update_fields") or {"role", "status"}):
        follow_membership(instance)  # a new role or status: the directory row follows


@receiver(post_save, sender=User)
def names_follow_the_account(sender: Any, instance: User, created: bool, **kw: Any) -> None:
    update_fields = kw.get("update_fields")
    if created or kw.get("raw") or (update_fields is not None and "name" not in update_fields):
        return
    with scopes_disabled():
        for profile in Profile.objects.filter(membership__user=instance).select_related(
            "membership__user"
        ):
            reindex(profile)
