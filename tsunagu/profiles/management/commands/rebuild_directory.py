"""``manage.py rebuild_directory [--network SLUG]``: rebuild the directory's search rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Network

from ...directory import rebuild


class Command(BaseCommand):
    help = "Rebuilds the member directory's search rows from the profiles (all networks or one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--network", help="the network's slug (default: every network)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = None
        if options["network"]:
            with scopes_disabled():
                network = Network.objects.filter(slug=options["network"]).first()
            if network is None:
                raise CommandError(f"No network with the slug {options['network']!r}.")
            ids = [network.pk]
        listed = rebuild(ids)
        self.stdout.write(self.style.SUCCESS(f"{listed} members are listed in the directory."))
