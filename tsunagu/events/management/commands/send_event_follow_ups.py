from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.events.tasks import send_event_follow_ups


class Command(BaseCommand):
    help = (
        "Thanks the participants of events that ended within two days and asks for feedback "
        "(what Celery beat runs every hour; for setups without beat, run it from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_event_follow_ups()
        self.stdout.write(f"{count} participant(s) thanked")
