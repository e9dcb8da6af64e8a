"""Every page of a network, as each role, on a desktop and a phone, in Japanese and in English:
no serious or critical axe-core fault.

The pages come from the resolver, as in the isolation matrix, so a page added later is checked
the day it is added: every address of network A (and every page of one's own account) is built
with the identifiers of real objects (``values_from_network_a()``), asked once with the test
client as the role, and each one that answers a whole HTML page is opened in Chromium. The
``browser`` fixture runs axe-core on each page visited and fails the test on a serious fault.

Each role reads every page in one pairing of screen size and language, a different pairing for
each role, and the pages of the header's navigation in the three other pairings: every page is
read in all four pairings (by different roles), and the main pages by every role in all four.
Every page for every role in every pairing would be four times a run of some 300 pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser

from tsunagu.privacy.tests.helpers import fill
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

from .test_isolation_matrix import all_routes, values_from_network_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"ja": "ja-JP", "en": "en-US"}

# Pages of the site that are not pages a member reads: the administrators' admin, the media
# files, and the addresses that exist for machines (the service worker, the manifest, health).
SKIPPED_PREFIXES = ("/admin/", "/media/", "/static/", "/sw.js", "/manifest", "/health", "/ws/")


def pages_of(client: Client, values: dict[str, str]) -> list[str]:
    """The addresses that answer the client with a whole HTML page (not a file or a fragment)."""
    found: list[str] = []
    for route in all_routes():
        if not (route.route.startswith(("n/<", "accounts/")) or route.route == ""):
            continue
        try:
            path = route.build(values)
        except KeyError:
            continue  # a parameter no object of the world gives (an e-mail's token)
        if path.startswith(SKIPPED_PREFIXES) or path in found:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if not response.content[:200].lower().lstrip().startswith(b"<!doctype html"):
            continue  # a fragment for htmx, part of a page checked whole elsewhere
        found.append(path)
    return found


# The pairing in which each role reads every page; it reads the navigation in the three others.
EVERY_PAGE = {
    "operator": ("phone", "ja"),
    "alumni": ("desktop", "en"),
    "employee": ("desktop", "ja"),
    "supporter": ("phone", "en"),
}


@pytest.mark.parametrize("role", list(EVERY_PAGE))
def test_every_page_has_no_serious_accessibility_fault(
    world: World, browser: Browser, live_server: Any, accessibility_faults: list[str], role: str
) -> None:
    fill(world, "アクセシビリティ")  # a photo, a life update, a thread, a room, an event...
    values = values_from_network_a(world)
    member: Membership = getattr(world, f"{role}_a")
    pairings = [EVERY_PAGE[role]]
    pairings += [(v, lang) for v in VIEWPORTS for lang in LANGUAGES if (v, lang) not in pairings]
    navigation: list[str] = []
    for viewport, language in pairings:
        client = speaking(world, member, language)
        context = browser.new_context(
            locale=LANGUAGES[language], base_url=live_server.url, viewport=VIEWPORTS[viewport]
        )
        context.set_default_timeout(15_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        page = context.new_page()
        if not navigation:
            # The pages of the header's navigation, as the member finds them on the home page.
            page.goto(f"/n/{world.net_a.slug}/")
            links = page.locator(".topbar a[href^='/'], .subnav a[href^='/']")
            navigation = sorted(set(links.evaluate_all(HREFS)))
            assert len(navigation) >= 6, navigation
            pages = pages_of(client, values)
            assert len(pages) >= 25, pages  # every kind of page has something to show
        else:
            pages = navigation
        for path in pages:
            page.goto(path)  # the page before is checked first (the fixture's watch)
            assert page.locator("html").get_attribute("lang") == language, path
        context.close()  # checks the last page
        assert accessibility_faults == [], (viewport, language, "\n".join(accessibility_faults))


HREFS = "(links) => links.map((link) => link.getAttribute('href'))"


def speaking(world: World, member: Membership, language: str) -> Client:
    """A client logged in as the member, who chose ``language``."""
    member.user.language = language
    member.user.save(update_fields=["language"])
    client = world.client(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
