"""Computes the dashboard's figures now, as the nightly task does (``--all``: every stored month
again, after a backfill or a correction of the past)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.insights.figures import store_closed_months
from tsunagu.insights.tasks import refresh_network_figures
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Network


class Command(BaseCommand):
    help = "Stores the totals of closed months and computes the dashboard's usual periods."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--network", help="Only the network with this address.")
        parser.add_argument("--all", action="store_true", help="Compute every stored month again.")

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            networks = Network.objects.filter(is_active=True)
            if options["network"]:
                networks = networks.filter(slug=options["network"])
            ids = list(networks.values_list("pk", flat=True))
        today = network_day(timezone.now())
        for network_id in ids:
            if options["all"]:
                store_closed_months(network_id, today, everything=True)
            refresh_network_figures(network_id)
        self.stdout.write(f"Figures computed for {len(ids)} networks.")
