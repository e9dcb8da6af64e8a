"""Every main page of a network, checked with axe-core for each role, on a desktop and on a phone,
in Japanese and in English.

The ``browser`` fixture runs axe on every page a test visits and fails the test on a serious or
critical fault (``tsunagu/testing/accessibility.py``); this module makes sure that it visits
them all, with content on them (a thread, a room with messages, an event, an article, an
opportunity, a survey: ``privacy.tests.helpers.fill()``). One test per role, viewport and
language, each with one signed-in browser context, so pytest-xdist spreads them; the live
server is shared.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import Browser

from tsunagu.careers.models import Opportunity
from tsunagu.events.models import Event
from tsunagu.news.models import Article
from tsunagu.privacy.tests.helpers import fill
from tsunagu.surveys.models import Survey
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("operator_a", "supporter_a", "employee_a", "alumni_a")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("ja", "en")

# What every member reaches from the header and the navigation (name, arguments by kind).
MEMBER_PAGES = (
    ("feed:home", None),
    ("feed:search", None),
    ("profiles:directory", None),
    ("profiles:detail", "profile"),
    ("profiles:me", None),
    ("talk:index", None),
    ("talk:room", "room"),
    ("boards:index", None),
    ("boards:thread", "thread"),
    ("events:list", None),
    ("events:detail", "event"),
    ("news:list", None),
    ("news:detail", "article"),
    ("careers:list", None),
    ("careers:detail", "opportunity"),
    ("surveys:list", None),
    ("surveys:answer", "survey"),
    ("notify:list", None),
    ("notify:preferences", None),
    ("audit:my_access", None),
)
# The office's pages: its console and what it links to.
OPERATOR_PAGES = (
    ("insights:dashboard", None),
    ("onboarding:console", None),
    ("onboarding:members", None),
    ("onboarding:invitations", None),
    ("onboarding:applications", None),
    ("tenancy:manage_settings", None),
    ("profiles:roster", None),
    ("audit:log", None),
    ("announce:list", None),
    ("talk:manage", None),
    ("boards:moderation", None),
    ("news:manage", None),
    ("careers:manage", None),
)
ARGUMENTS = {
    "profile": "membership_id",
    "room": "room_id",
    "thread": "thread_id",
    "event": "event_id",
    "article": "article_id",
    "opportunity": "opportunity_id",
    "survey": "survey_id",
}


def main_pages(world: World, member: Membership) -> list[str]:
    """The addresses of the main pages of network A, with the content fill() put there."""
    filled = fill(world, "アクセシビリティ")
    slug = world.net_a.slug
    mine = filled.objects[slug]
    with scopes_disabled():
        ids = {
            "profile": world.employee_a.pk,
            "room": mine["room"].pk,
            "thread": mine["thread"].pk,
            "event": Event.objects.filter(network=world.net_a).latest("pk").pk,
            "article": Article.objects.get(network=world.net_a, title="社内報").pk,
            "opportunity": Opportunity.objects.filter(network=world.net_a).latest("pk").pk,
            "survey": Survey.objects.filter(network=world.net_a).earliest("pk").pk,
        }
    pages = list(MEMBER_PAGES) + (list(OPERATOR_PAGES) if member.is_operator else [])
    paths = []
    for name, kind in pages:
        kwargs: dict[str, Any] = {"network_slug": slug}
        if kind is not None:
            kwargs[ARGUMENTS[kind]] = ids[kind]
        paths.append(reverse(name, kwargs=kwargs))
    paths.append(reverse("account_settings"))
    return paths


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_has_no_serious_accessibility_fault(
    browser: Browser, live_server: Any, world: World, role: str, viewport: str, language: str
) -> None:
    member: Membership = getattr(world, role)
    paths = main_pages(world, member)
    client = Client()
    client.force_login(member.user)
    context = browser.new_context(
        locale="ja-JP" if language == "ja" else "en-GB",
        base_url=live_server.url,
        viewport=VIEWPORTS[viewport],
    )
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {"name": name, "value": value, "url": live_server.url}
            for name, value in (
                (settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value),
                (settings.LANGUAGE_COOKIE_NAME, language),
            )
        ]
    )
    page = context.new_page()
    lang = "ja" if language == "ja" else "en"
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response}"
        assert page.locator("html").get_attribute("lang") == lang, path
    context.close()  # axe checks the last page before the context goes
