"""The monthly cap: how many announcements a network may send in a calendar month of the
network's days (``tenancy/days.py``). Test mails to oneself do not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from tsunagu.tenancy.days import network_day, network_zone
from tsunagu.tenancy.models import Network

from .models import Announcement, AnnounceSettings, State


@dataclass(frozen=True)
class Allowance:
    cap: int
    used: int

    @property
    def left(self) -> int:
        return max(0, self.cap - self.used)


def settings_of(network: Network) -> AnnounceSettings:
    found = AnnounceSettings.objects.filter(network=network).first()
    return found if found is not None else AnnounceSettings(network=network)


def month_start(moment: datetime) -> datetime:
    """Midnight of the first day of the network's month that holds ``moment``."""
    first = network_day(moment).replace(day=1)
    return datetime.combine(first, time.min, tzinfo=network_zone())


def sent_this_month(network: Network, now: datetime | None = None) -> int:
    start = month_start(now or timezone.now())
    return (
        Announcement.objects.filter(network=network, queued_at__gte=start)
        .exclude(state=State.DRAFT)
        .count()
    )


def allowance(
    network: Network, now: datetime | None = None, row: AnnounceSettings | None = None
) -> Allowance:
    cap = (row or settings_of(network)).monthly_cap
    return Allowance(cap, sent_this_month(network, now))
