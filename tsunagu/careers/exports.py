"""The answers to an opportunity as a spreadsheet's rows: the export and the answers page (which
tells before the download how many cells the Shift_JIS file cannot hold) read the same."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Application, Mode, Status


def header() -> list[str]:
    return [
        _("Name"),
        _("E-mail"),
        _("Type of answer"),
        _("Status"),
        _("Message"),
        _("CV"),
        _("Answered on"),
        _("Decided on"),
        _("Network"),
    ]


def cells(row: Application) -> list[str]:
    """One answer's cells (``row.member.user`` and ``row.applicant_network`` loaded with it). A
    member of a linked network sent their name and their answer, not their address: it stays
    out, as on the answers page."""
    elsewhere = row.is_from_elsewhere
    return [
        row.member.user.name,
        "" if elsewhere else row.member.user.email,
        str(Mode(row.mode).label),
        str(Status(row.status).label),
        row.message,
        row.cv_name,
        timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"),
        row.decided_on.isoformat() if row.decided_on else "",
        row.applicant_network.name if elsewhere and row.applicant_network else "",
    ]
