from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.insights.backfill import backfill_network
from tsunagu.insights.figures import store_closed_months
from tsunagu.insights.models import RecordingStart
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Network

STARTS_WITH_THE_RECORDING = """\
Derived from older rows: threads, comments, articles, life updates, messages in rooms that
are not private, stamps, welcomes, event registrations and attendance, applications and
answers to named surveys, each with today's role; the days they were made; and each member's
last visit.
These start only on the day recording began (no row before it tells them):
  - visits: members who only read are missing before it, so DAU, WAU, MAU, readers and the
    cohorts' retention of earlier days count only those who did something;
  - the role at the moment: earlier contributions carry the role of today, so the office's
    share of earlier posts follows today's roles;
  - posts deleted and stamps taken back before it are not counted."""


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
        with scopes_disabled():
            since = dict(RecordingStart.objects.values_list("network_id", "day"))
        for network in networks:
            result = backfill_network(network)
            # The past changed: the stored totals of closed months are computed again.
            store_closed_months(network.pk, today, everything=True)
            self.stdout.write(
                f"{network.slug}: {result.contributions} contributions, {result.days} days added"
                + (f", {result.skipped} rows without a member skipped" if result.skipped else "")
            )
            if network.pk in since:
                self.stdout.write(f"  recorded as it happens since {since[network.pk]}")
        self.stdout.write(STARTS_WITH_THE_RECORDING)
