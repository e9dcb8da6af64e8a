from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from tsunagu.feed.search import reindex_network
from tsunagu.tenancy.models import Network


class Command(BaseCommand):
    help = "Rebuilds the search box's index of threads, comments and events."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--network", help="the network's address (slug); all when omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            networks = Network.objects.all()
            if options.get("network"):
                networks = networks.filter(slug=options["network"])
            for network in networks:
                count = reindex_network(network.pk)
                self.stdout.write(f"{network.slug}: {count}")
