"""Carrying out an account's erasure through the registry (registry.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.audit.models import ERASED_MEMBER, AuditAction, record_system
from tsunagu.core.caching import forget_entries_containing
from tsunagu.onboarding.donotinvite import do_block, normal_address
from tsunagu.onboarding.models import DoNotInvite, Invitation
from tsunagu.profiles.models import Profile
from tsunagu.realtime.events import disconnect_membership
from tsunagu.tenancy.actions import leave_network
from tsunagu.tenancy.models import Membership, Status

from .access import networks_needing_a_handover
from .models import Erasure
from .registry import Erase, Rule, rules


@dataclass(frozen=True)
class Context:
    user_id: int
    membership_ids: list[int]
    network_ids: list[int]
    keep_posts: bool  # posts stay as 「退会したメンバー」's, or become tombstones
    tombstone: str  # the text a tombstoned title shows
    secrets: list[str]  # the person's names and addresses, pseudonymised wherever found


def secrets_of(user: User, membership_ids: list[int]) -> list[str]:
    """The person's names and addresses, as written anywhere."""
    found = {user.name, user.email}
    for profile in Profile.objects.filter(membership_id__in=membership_ids):
        found |= {
            profile.display_name,
            profile.name_kanji,
            profile.name_kana,
            profile.name_romaji,
            profile.contact_email,
        }
    return sorted(s for s in found if s and len(s.strip()) >= 2)


def forget_addresses(user: User, memberships: list[Membership]) -> None:
    """Invitations to the person's addresses are deleted in every network, and each network
    that knew the person keeps a keyed hash of the addresses on its do-not-invite list, so a
    roster imported again invites nobody there."""
    addresses = {normal_address(user.email)}
    for invitation in Invitation.objects.filter(membership__in=memberships):
        addresses |= {normal_address(invitation.email), normal_address(invitation.work_email)}
    addresses.discard("")
    invitations = Invitation.objects.filter(
        Q(email__in=addresses) | Q(work_email__in=addresses) | Q(membership__in=memberships)
    )
    network_ids = {m.network_id for m in memberships}
    network_ids |= set(invitations.values_list("network_id", flat=True))
    invitations.delete()
    for network_id in sorted(network_ids):
        do_block(network_id, addresses, DoNotInvite.Source.PERSON)


def end_memberships(memberships: list[Membership]) -> None:
    """Every membership ends (no longer a member) as if the person left each network: the
    operators are told and open sockets close after commit. A membership that was not active
    (pending, suspended) just ends."""
    now = timezone.now()
    for membership in memberships:
        if membership.status == Status.ACTIVE:
            leave_network(membership)
        elif membership.status != Status.LEFT:
            membership.status = Status.LEFT
            membership.status_changed_at = now
            membership.save(update_fields=["status", "status_changed_at"])
            disconnect_membership(membership)
        record_system(
            membership.network, ERASED_MEMBER, AuditAction.ERASE_ACCOUNT, target=membership
        )


def apply_rule(rule: Rule, rows: QuerySet[Any], ctx: Context) -> None:
    if rule.erase_with is not None:
        rule.erase_with(rows, ctx)
        return
    if rule.erase is Erase.KEEP or (rule.erase is Erase.TOMBSTONE and ctx.keep_posts):
        return
    if rule.erase is Erase.COUNT:
        rows.update(**{rule.owner: None})
        return
    for row in rows:
        for name in rule.files:
            stored = getattr(row, name)
            if stored:
                stored.delete(save=False)
        if rule.erase is Erase.DELETE:
            row.delete()
            continue
        for name in rule.blank:
            text = ctx.tombstone if rule.erase is Erase.TOMBSTONE and name == "title" else ""
            setattr(row, name, text)
        row.save()


@transaction.atomic
def erase_account(erasure_id: int) -> bool:
    """Carries out a due erasure; False when it was cancelled, done, or must wait for a
    handover (the person became the last operator of a network meanwhile)."""
    erasure = (
        Erasure.objects.select_for_update()
        .filter(pk=erasure_id, cancelled_at__isnull=True, done_at__isnull=True)
        .first()
    )
    if erasure is None:
        return False
    user = User.objects.get(pk=erasure.user_id)
    if networks_needing_a_handover(user):
        return False
    with scopes_disabled():
        memberships = list(Membership.objects.filter(user=user).select_related("network"))
        membership_ids = [m.pk for m in memberships]
        with translation.override(settings.LANGUAGE_CODE):
            tombstone = gettext("Deleted")
        ctx = Context(
            user_id=user.pk,
            membership_ids=membership_ids,
            network_ids=[m.network_id for m in memberships],
            keep_posts=erasure.keep_posts,
            tombstone=tombstone,
            secrets=secrets_of(user, membership_ids),
        )
        end_memberships(memberships)
        forget_addresses(user, memberships)
        for rule in rules():
            apply_rule(rule, rule.rows_of(user.pk, membership_ids), ctx)
    erasure.done_at = timezone.now()
    erasure.save(update_fields=["done_at"])
    secrets = ctx.secrets
    forget_entries_containing(secrets)
    transaction.on_commit(lambda: forget_entries_containing(secrets))
    return True
