from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.audit.retention import purge_expired


class Command(BaseCommand):
    help = (
        "Deletes invitations never accepted, notifications and audit entries past their "
        "retention period (what Celery beat runs nightly; for setups without beat, run it "
        "from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        totals = purge_expired()
        self.stdout.write(
            f"{totals['invitations']} invitation(s), {totals['notifications']} notification(s), "
            f"{totals['audit']} audit entries deleted"
        )
