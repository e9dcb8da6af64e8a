"""``manage.py rebuild_directory [--network SLUG]``: recompute what the directory searches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Network

from ...directory import rebuild
from ...indexing import reindex_all


class Command(BaseCommand):
    help = (
        "Recomputes the profiles' search text and rebuilds the member directory's search rows "
        "from them (all networks or one)."
    )

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
        reindex_all(ids)
        listed = rebuild(ids)
        self.stdout.write(self.style.SUCCESS(f"{listed} members are listed in the directory."))
