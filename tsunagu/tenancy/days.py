"""A network's days: where one ends and the next begins.

Networks have no time zone of their own: every network's day is a day of the site's
``TIME_ZONE`` (Asia/Tokyo unless the installation sets another). A zone per network would be a
field on ``Network`` read here; until then the member's own display zone never moves a day.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings


def network_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def network_day(moment: datetime) -> date:
    """The network's calendar day on which ``moment`` falls."""
    return moment.astimezone(network_zone()).date()


def day_start(moment: datetime) -> datetime:
    """Midnight at the start of the network's day that holds ``moment``."""
    return datetime.combine(network_day(moment), time.min, tzinfo=network_zone())
