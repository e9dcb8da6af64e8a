"""Notification kinds of insights: the monthly letter of early warnings to the office."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import OPERATORS, Kind, register

WARNINGS = register(
    Kind(
        "insights_warnings",
        _("Monthly early warnings about the network"),
        _("%(count)s early warnings for %(network)s this month"),
        email_by_default=True,
        group="network",
        roles=OPERATORS,
    )
)
