from __future__ import annotations

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
