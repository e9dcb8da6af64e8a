"""Who may read, accept and publish a network's policy."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from tsunagu.tenancy.models import Membership


def may_manage_policy(member: Membership) -> bool:
    """Operators write, preview and publish versions and see who accepted: the policy speaks
    for the company, so supporters do not."""
    return member.is_operator


def check_manage_policy_permission(member: Membership) -> None:
    if not may_manage_policy(member):
        raise PermissionDenied


def check_accept_policy_permission(member: Membership) -> None:
    """Any active member accepts for themselves; nobody accepts for someone else."""
    if not member.is_active:
        raise PermissionDenied
