from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.digest.tasks import plan_digests


class Command(BaseCommand):
    help = "Sends the weekly and monthly digests that are due (what beat runs every hour)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = plan_digests()
        self.stdout.write(f"{count} networks planned")
