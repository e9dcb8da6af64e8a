"""Who may read the audit log, and which entries a member sees about themselves."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagu.tenancy.access import check_operator_permission
from tsunagu.tenancy.models import Membership

from .models import AuditAction, AuditEntry

# Acts that looked at or took one member's data, recorded with that member as the target.
ABOUT_ONE_MEMBER = (
    AuditAction.VIEW_PRIVATE_FIELDS,
    AuditAction.PREVIEW_DIGEST,
    AuditAction.PREVIEW_ANNOUNCEMENT,
    AuditAction.ADMIN_VIEW,
)
# Acts over the whole roster, recorded once for the roster rather than per member: a member is
# shown those made while they were a member, as possibly including them.
ROSTER_WIDE = (AuditAction.VIEW_ROSTER, AuditAction.EXPORT_ROSTER, AuditAction.ADMIN_LIST)


def check_audit_permission(member: Membership) -> None:
    """The audit log and its export are the operators'; a demoted operator loses them at once."""
    check_operator_permission(member)


def filter_entries(
    member: Membership, action: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AuditEntry]:
    """The network's entries, newest first, narrowed by act and by days (both ends included)."""
    check_audit_permission(member)
    qs = AuditEntry.objects.filter(network_id=member.network_id)
    if action:
        qs = qs.filter(action=action)
    tz = timezone.get_current_timezone()
    if since is not None:
        qs = qs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until is not None:
        qs = qs.filter(
            created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
        )
    return qs.select_related("target__user")


def filter_access_to(member: Membership) -> QuerySet[AuditEntry]:
    """What the office (and the site administrator) did with this member's data: views and
    exports of them, and the roster-wide ones made while they were a member. Nothing about
    anyone else."""
    return AuditEntry.objects.filter(
        Q(target_id=member.pk, action__in=ABOUT_ONE_MEMBER)
        | Q(target__isnull=True, action__in=ROSTER_WIDE, created_at__gte=member.created_at),
        network_id=member.network_id,
    )
