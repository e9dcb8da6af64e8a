"""The dashboard's writes: its settings, and the audit entry of a download."""

from __future__ import annotations

from django.db import transaction

from tsunagu.audit.models import AuditAction, record
from tsunagu.tenancy.models import Membership

from .figures import Period
from .forms_dashboard import InsightSettingsForm
from .thresholds import InsightSettings


@transaction.atomic
def do_update_insight_settings(member: Membership, form: InsightSettingsForm) -> InsightSettings:
    settings = form.save(commit=False)
    settings.network_id = member.network_id
    settings.save()
    return settings


def note_figures_export(member: Membership, period: Period, *, encoding: str) -> None:
    record(
        member,
        AuditAction.EXPORT_INSIGHTS,
        label=f"{period.first:%Y-%m}–{period.last:%Y-%m}",
        encoding=encoding,
    )
