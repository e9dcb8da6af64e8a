"""The audit log keeps its entries after an erasure, with the person's name pseudonymised
(see privacy/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from tsunagu.privacy.registry import Erase, Rule, register

from .models import ERASED_MEMBER, AuditEntry

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return ERASED_MEMBER if any(s in value for s in secrets) else value
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    return value


def pseudonymise_audit_entries(rows: QuerySet[AuditEntry], ctx: Context) -> None:
    """The one place that changes audit entries (``AuditEntry.save`` refuses to): the erased
    person's name, as the actor and wherever the particulars name them, becomes
    「退会したメンバー」. What was done, when and to which membership stays."""
    for entry in rows:
        actor_name = ERASED_MEMBER if entry.actor_id == ctx.user_id else entry.actor_name
        AuditEntry.objects.filter(pk=entry.pk).update(
            actor_name=actor_name, detail=_scrub(entry.detail, ctx.secrets)
        )


register(
    Rule(
        "audit.AuditEntry",
        owner="actor",
        erase=Erase.PSEUDONYMISE,
        erase_with=pseudonymise_audit_entries,
        why="what the person did as an operator belongs to the network's record",
    ),
    Rule(
        "audit.AuditEntry",
        owner="target",
        kind="audit_entries",
        export=("network__name", "actor_name", "action", "detail", "created_at"),
        erase=Erase.PSEUDONYMISE,
        erase_with=pseudonymise_audit_entries,
    ),
)
