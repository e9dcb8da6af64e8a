"""Events for tests: made directly, outside any network scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.events.models import Event
from tsunagu.tenancy.models import Network


def make_event(network: Network, *, title: str = "朝活もくもく会", **fields: Any) -> Event:
    starts = fields.pop("starts_at", timezone.now() + timedelta(days=7))
    fields.setdefault("ends_at", starts + timedelta(hours=2))
    fields.setdefault("venue", "渋谷オフィス 12階")
    with scopes_disabled():
        return Event.objects.create(network=network, title=title, starts_at=starts, **fields)
