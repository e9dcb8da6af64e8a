"""Every address under /n/<slug>/ either finds its network or answers 404: a slug that no
network could have (capitals, underscores) never reaches a view without its network."""

from __future__ import annotations

import re

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from config.asgi import application
from tsunagu.testing.world import World

SAMPLE = {"id": "1", "int": "1", "str": "x", "slug": "x"}


def network_routes() -> list[str]:
    """Every route mounted under /n/<network_slug>/, with sample values for its parameters."""
    (mount,) = [
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and str(entry.pattern).startswith("n/")
    ]
    routes: list[str] = []

    def walk(entries: list[URLPattern | URLResolver], prefix: str) -> None:
        for entry in entries:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            else:
                routes.append(re.sub(r"<(\w+):\w+>", lambda m: SAMPLE[m[1]], route))

    walk(mount.url_patterns, "")
    return sorted(set(routes))


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Mitsuba-A", "mitsuba_a", "MITSUBA", "mitsuba_x"])
def test_a_slug_no_network_can_have_answers_404_on_every_network_url(
    world: World, slug: str
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.operator_a.user)
    routes = network_routes()
    assert len(routes) > 50  # the walk found the network's pages

    answers = {route: client.get(f"/n/{slug}/{route}").status_code for route in routes}

    assert {route: code for route, code in answers.items() if code != 404} == {}


@pytest.mark.django_db
def test_the_network_itself_still_opens_for_its_member(world: World) -> None:
    client = world.client(world.alumni_a)

    assert client.get("/n/mitsuba-a/").status_code == 200
    assert client.get("/n/mitsuba-a/events/").status_code == 200
    assert client.get("/n/unknown-net/").status_code == 404


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/n/Mitsuba-A/", "/ws/n/mitsuba_a/talk/", "/ws/elsewhere/"])
async def test_a_socket_to_an_address_no_route_serves_is_refused_not_failed(path: str) -> None:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    communicator = WebsocketCommunicator(application, path, headers=headers)

    connected, _code = await communicator.connect()

    assert not connected
