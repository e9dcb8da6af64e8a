"""Who may read the operators' dashboard: operators, and supporters where the network allows."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from tsunagu.tenancy.models import Membership, Role

from .warnings import settings_for


def can_view_dashboard(member: Membership) -> bool:
    if member.is_operator:
        return True
    if member.is_active and member.role == Role.SUPPORTER:
        return settings_for(member.network_id).supporters_may_view
    return False


def check_view_dashboard_permission(member: Membership) -> None:
    """Raises PermissionDenied (403) for anyone but operators and, where allowed, supporters.

    Read from the membership as it is on this request, so a role taken away takes the right
    away on the next page."""
    if not can_view_dashboard(member):
        raise PermissionDenied


def check_export_figures_permission(member: Membership) -> None:
    """Downloading the figures is the office's: it is recorded in the audit log."""
    if not member.is_operator:
        raise PermissionDenied
