"""A socket opens only from a page whose origin (scheme, host and port) may also post a form:
the site's own address, a trusted origin, or the address the handshake was sent to."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tsunagu.testing.world import World

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ROUTES = ["/ws/n/mitsuba-a/", "/ws/n/mitsuba-a/talk/"]


@pytest.fixture(autouse=True)
def _site_on_localhost_8000(settings: Any) -> None:
    settings.SITE_URL = "http://localhost:8000"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "alumni.example.jp"]
    settings.CSRF_TRUSTED_ORIGINS = []


@database_sync_to_async
def cookie_for(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def handshake(
    world: World,
    route: str,
    origin: str | None,
    host: str = "localhost:8000",
    scheme: str = "ws",
) -> bool:
    headers = [(b"host", host.encode()), (b"cookie", await cookie_for(world.alumni_a.user))]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application, route, headers=headers)
    communicator.scope["scheme"] = scheme
    connected, _code = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


@pytest.mark.parametrize("route", ROUTES)
async def test_the_sites_own_page_opens_the_socket(world: World, route: str) -> None:
    assert await handshake(world, route, "http://localhost:8000")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",  # another server on the same machine
        "https://localhost:8000",  # another scheme
        "http://localhost",  # another port (80)
        "http://127.0.0.1:8000",  # another host, though the same machine
        "https://evil.example",
        "null",  # a sandboxed frame or a file:// page
    ],
)
async def test_a_page_of_another_origin_is_refused(world: World, route: str, origin: str) -> None:
    assert not await handshake(world, route, origin)


@pytest.mark.parametrize("route", ROUTES)
async def test_a_handshake_without_an_origin_is_refused(world: World, route: str) -> None:
    assert not await handshake(world, route, None)


async def test_the_address_the_handshake_was_sent_to_is_its_own_origin(world: World) -> None:
    # `make run PORT=8080`: SITE_URL still names 8000, the browser is on 8080.
    assert await handshake(world, ROUTES[0], "http://localhost:8080", host="localhost:8080")
    assert await handshake(
        world, ROUTES[0], "https://alumni.example.jp", host="alumni.example.jp", scheme="wss"
    )
    # A Host that ALLOWED_HOSTS does not accept makes no origin its own.
    assert not await handshake(world, ROUTES[0], "http://evil.example", host="evil.example")


async def test_behind_the_proxy_the_public_address_is_accepted(world: World, settings: Any) -> None:
    # nginx passes the public Host, but uvicorn may see plain ws from the proxy.
    settings.SITE_URL = "https://alumni.example.jp"

    assert await handshake(world, ROUTES[1], "https://alumni.example.jp", host="alumni.example.jp")
    assert not await handshake(
        world, ROUTES[1], "https://alumni.example.jp:8443", host="alumni.example.jp"
    )


async def test_trusted_origins_are_accepted_exactly_or_by_subdomain(
    world: World, settings: Any
) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://alumni.example.jp", "https://*.mitsuba.example"]

    assert await handshake(world, ROUTES[0], "https://alumni.example.jp")
    assert await handshake(world, ROUTES[0], "https://ob.mitsuba.example")
    assert not await handshake(world, ROUTES[0], "http://alumni.example.jp")
    assert not await handshake(world, ROUTES[0], "https://alumni.example.jp.evil.example")
    assert not await handshake(world, ROUTES[0], "http://ob.mitsuba.example")
