from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.insights.backfill import backfill_network
from tsunagu.insights.figures import store_closed_months
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Network


class Command(BaseCommand):
    help = (
        "Derives past contributions and active days from the rows the site already holds. "
        "Safe to run again: it adds only what is missing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--network", help="the network's address (slug); all when omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            networks = list(Network.objects.order_by("pk"))
        if options.get("network"):
            networks = [n for n in networks if n.slug == options["network"]]
            if not networks:
                raise CommandError(f"No network with the address {options['network']!r}.")
        today = network_day(timezone.now())
        for network in networks:
            result = backfill_network(network)
            # The past changed: the stored totals of closed months are computed again.
            store_closed_months(network.pk, today, everything=True)
            self.stdout.write(
                f"{network.slug}: {result.contributions} contributions, {result.days} days added"
                + (f", {result.skipped} rows without a member skipped" if result.skipped else "")
            )
