"""The audit log's own writes: its export, and the site administrator's views in /admin/."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Min, QuerySet
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership

from .access import check_audit_permission
from .models import AuditAction, record, record_admin


@transaction.atomic
def do_note_audit_export(member: Membership, *, rows: int, filters: dict[str, Any]) -> None:
    """Exporting the log is itself recorded, with what was asked for."""
    check_audit_permission(member)
    record(
        member,
        AuditAction.EXPORT_AUDIT,
        count=rows,
        filters={k: str(v) for k, v in filters.items()},
    )


def do_note_admin_view(
    user: Any, model_label: str, members: QuerySet[Membership], *, one_object: bool
) -> None:
    """Records a page of /admin/ that showed members' data: one entry per network concerned.

    A page about one object that concerns one member of a network (an account, a comment) names
    that member; a list, or an object holding many members (a network and its memberships),
    records how many were shown.
    """
    with scopes_disabled(), transaction.atomic():
        rows = members.order_by().values("network_id").annotate(n=Count("pk"), first=Min("pk"))
        for row in rows:
            if one_object and row["n"] == 1:
                record_admin(
                    row["network_id"],
                    user,
                    AuditAction.ADMIN_VIEW,
                    target_id=row["first"],
                    model=model_label,
                )
            else:
                record_admin(
                    row["network_id"],
                    user,
                    AuditAction.ADMIN_LIST,
                    count=row["n"],
                    model=model_label,
                )
