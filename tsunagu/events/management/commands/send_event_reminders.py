from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.events.tasks import send_event_reminders


class Command(BaseCommand):
    help = (
        "Reminds participants of the events starting within 24 hours (what Celery beat runs "
        "every 15 minutes; for setups without beat, run it from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_event_reminders()
        self.stdout.write(f"{count} participant(s) reminded")
