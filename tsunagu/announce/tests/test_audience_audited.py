"""Listing who an announcement goes to is recorded in the audit log, as roster views are."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.testing.world import World

from .helpers import base, make_draft

pytestmark = pytest.mark.django_db


def test_searching_the_audience_in_the_preview_is_recorded(world: World) -> None:
    announcement = make_draft(world.operator_a, subject="秋の総会")
    client = world.client(world.operator_a)
    url = f"{base(world)}{announcement.pk}/preview/"

    client.get(url)  # the page alone lists nobody
    page = client.get(url, {"q": "田中"}).content.decode()

    assert f"?member={world.alumni_a.pk}" in page
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(action=AuditAction.LIST_AUDIENCE))
    assert [(e.network_id, e.actor_id, e.detail) for e in entries] == [
        (world.net_a.pk, world.operator_a.user_id, {"subject": "秋の総会", "q": "田中", "count": 1})
    ]
    log = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/manage/audit/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "<td>Listed members of an announcement&#x27;s audience" in log.content.decode()
