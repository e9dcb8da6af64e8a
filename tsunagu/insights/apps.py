from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "tsunagu.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from . import kinds, signals  # noqa: F401 - registers the notification kind

        signals.connect()
        from . import dashboard_signals

        dashboard_signals.connect()
        from . import member_counts

        member_counts.connect()
        from tsunagu.core.navigation import Link, add_link

        add_link(Link("supporters", _("Supporters"), 110, shown=_supporters))


def _supporters(membership: Any) -> bool:
    return bool(membership.is_supporter_or_operator)
