from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagu.push.vapid import generate_pair


class Command(BaseCommand):
    help = (
        "Prints a new VAPID key pair for push notifications, as lines for the settings file "
        "(TSUNAGU_VAPID_PRIVATE_KEY, TSUNAGU_VAPID_PUBLIC_KEY). Changing the pair of a running "
        "site stops the pushes to every device until its member turns them on again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = generate_pair()
        self.stdout.write(f"TSUNAGU_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"TSUNAGU_VAPID_PUBLIC_KEY={public}")
