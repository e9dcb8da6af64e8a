"""The Content-Security-Policy: every answer carries it, and no page needs what it forbids."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from tsunagu.boards.models import Poll, PollOption
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.middleware import content_security_policy
from tsunagu.core.testing.factories import make_member
from tsunagu.events.models import Photo
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def policy_of(response: object) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")  # type: ignore[attr-defined]
    assert header, "no Content-Security-Policy"
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict(policy: dict[str, list[str]], where: str) -> None:
    assert policy.get("default-src") == ["'self'"], where
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_a_page_a_network_page_an_error_and_a_fragment_all_carry_the_policy(world: World) -> None:
    member = world.client(world.alumni_a)
    directory = f"/n/{world.net_a.slug}/members/"
    answers = {
        "landing page": Client().get("/"),
        "log-in page": Client().get("/accounts/login/"),
        "network page": member.get(directory),
        "fragment": member.get(directory, {"q": "田中"}, HTTP_HX_REQUEST="true"),
        "missing network": member.get("/n/no-such-network/"),
        "missing event": member.get(f"/n/{world.net_a.slug}/events/999999/"),
        "forbidden page": member.get(f"/n/{world.net_a.slug}/manage/members/"),
        "admin": Client().get("/admin/login/"),
    }

    assert [answers["missing network"].status_code, answers["forbidden page"].status_code] == [
        404,
        403,
    ]
    assert "<html" not in answers["fragment"].content.decode()
    for name, response in answers.items():
        assert_strict(policy_of(response), name)


def test_the_sites_websocket_may_connect() -> None:
    policy = content_security_policy("http://testserver", "/media/")
    assert "connect-src 'self' ws://testserver;" in policy
    policy = content_security_policy("https://alumni.example.jp", "/media/")
    assert "connect-src 'self' wss://alumni.example.jp;" in policy
    assert "ws://" not in policy


def test_uploads_on_another_host_may_be_shown_as_images() -> None:
    policy = content_security_policy("https://alumni.example.jp", "https://files.example.jp/m/")

    assert "img-src 'self' data: https://files.example.jp;" in policy


def test_an_uploaded_image_keeps_its_own_stricter_policy(world: World) -> None:
    event = make_event(world.net_a, title="オフィスツアー")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    upload = SimpleUploadedFile("map.png", buffer.getvalue(), content_type="image/png")
    operator = world.client(world.operator_a)
    operator.post(f"{event.get_absolute_url()}images/", {"image": upload, "caption": "地図"})
    with scopes_disabled():
        photo = Photo.objects.get(event=event)

    response = operator.get(f"{event.get_absolute_url()}photos/{photo.pk}/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


# --- Pages need nothing the policy forbids -------------------------------------------------------


class _Inline(HTMLParser):
    """What a browser under the policy would refuse: inline scripts, styles and handlers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refused: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            data_block = (found.get("type") or "").endswith("json")
            self._in_script = "src" not in found and not data_block
        if tag == "style":
            self.refused.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.refused.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and re.match(r"\s*javascript:", value or "", re.I):
                self.refused.append(f"<{tag} {name}={value!r}>")
            if name.startswith("hx-on"):
                self.refused.append(f"<{tag} {name}> (htmx would need eval)")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.refused.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def refused_in(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    parser.close()
    return parser.refused


def poll_thread(world: World) -> str:
    """A thread whose poll shows its results (bars) to the operator, who voted."""
    category = make_category(world.net_a, "アンケート")
    operator = world.client(world.operator_a)
    operator.post(
        f"/n/{world.net_a.slug}/boards/new/",
        {
            "category": category.pk,
            "kind": "discussion",
            "title": "忘年会の日程",
            "body": "| 日 | 会場 |\n|:--|--:|\n| 12月5日 | 本社 |",
            "poll-question": "いつがよいですか？",
            "poll-options": "12月5日\n12月12日",
        },
    )
    with scopes_disabled():
        poll = Poll.objects.get()
        option = PollOption.objects.filter(poll=poll).first()
    thread = f"/n/{world.net_a.slug}/boards/t/{poll.thread_id}/"
    operator.post(f"{thread}poll/", {"option": option.pk})  # type: ignore[union-attr]
    return thread


NETWORK_PAGES = [
    "feed:home",
    "feed:search",
    "news:list",
    "events:list",
    "boards:index",
    "talk:index",
    "profiles:directory",
    "profiles:me",
    "profiles:edit",
    "notify:list",
    "notify:preferences",
    "tenancy:about",
    "tenancy:manage_members",
    "tenancy:manage_settings",
    "onboarding:console",
    "onboarding:links",
]
SITE_PAGES = ["home", "account_settings", "account_email", "account_change_password", "mfa_index"]


def test_no_page_needs_an_inline_script_style_or_handler(world: World) -> None:
    make_member(world.net_b, world.operator_a.user, role=Role.ALUMNI)  # "my networks" lists two
    event = make_event(world.net_a, title="総会", description="**本社**で開催します。")
    operator = world.client(world.operator_a)
    pages = [reverse(name, kwargs={"network_slug": world.net_a.slug}) for name in NETWORK_PAGES]
    pages += [reverse(name) for name in SITE_PAGES]
    pages += [event.get_absolute_url(), poll_thread(world)]

    visited: list[str] = []
    for path in pages:
        response = operator.get(path, follow=True)
        assert response.status_code == 200, path
        assert refused_in(response.content.decode()) == [], path
        visited.append(response.content.decode())
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        assert refused_in(Client().get(path).content.decode()) == [], path
    # The pages that used inline styles were among them.
    everything = "".join(visited)
    for sign in ['<svg class="brand__mark"', '<svg class="dot"', '<svg class="poll__bar"']:
        assert sign in everything, sign
    assert '<td align="right">本社</td>' in everything


def test_the_poll_bars_and_the_network_colour_come_without_inline_style(world: World) -> None:
    with scopes_disabled():
        world.net_a.brand_color = "#C2541B"
        world.net_a.save()
    page = world.client(world.operator_a).get(poll_thread(world)).content.decode()

    assert '<svg class="poll__bar"' in page
    assert '<link rel="stylesheet" href="/brand.css?color=%23C2541B">' in page
    stylesheet = Client().get("/brand.css", {"color": "#C2541B"})
    assert stylesheet["Content-Type"] == "text/css"
    assert stylesheet.content.decode() == ":root { --brand: #c2541b; }\n"
    assert "immutable" in stylesheet["Cache-Control"] and "public" in stylesheet["Cache-Control"]


@pytest.mark.parametrize("color", ["", "red", "#c2541b;} body{display:none", "#c2541", "c2541b"])
def test_the_brand_stylesheet_answers_only_a_colour(color: str) -> None:
    assert Client().get("/brand.css", {"color": color}).status_code == 404
