"""Every member page opens the network socket: its handshake records the day."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from config.asgi import application
from tsunagu.insights.models import ActivityDay
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

from .helpers import days_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def session_cookie_without_a_recorded_day(world: World) -> bytes:
    client = Client()
    client.force_login(world.alumni_a.user)
    with scopes_disabled():  # the login recorded the day: start again from nothing
        ActivityDay.objects.all().delete()
        Membership.objects.filter(pk=world.alumni_a.pk).update(last_seen_at=None)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def test_opening_a_page_socket_records_the_members_day(world: World) -> None:
    cookie = await session_cookie_without_a_recorded_day(world)
    socket = WebsocketCommunicator(
        application,
        f"/ws/n/{world.net_a.slug}/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)],
    )
    connected, _ = await socket.connect()
    assert connected
    await socket.disconnect()
    today = network_day(timezone.now())
    assert await database_sync_to_async(days_of)(world.alumni_a) == [(today, True, False)]
