"""The header and footer are kept once per network, language, role and section of the site and
filled per request: what each reader sees of them must still be their own."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def header(html: str) -> str:
    found = re.search(r'<header class="topbar">.*?</header>', html, re.S)
    assert found, "the page has no header"
    return found.group(0)


def page(world: World, who: object, path: str) -> str:
    response = world.client(who).get(path)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def test_each_reader_sees_their_own_name_and_networks_in_a_shared_header(world: World) -> None:
    home = f"/n/{world.net_a.slug}/"
    operator_page = header(page(world, world.operator_a, home))
    alumni_page = header(page(world, world.alumni_a, home))
    assert world.operator_a.user.name in operator_page
    assert world.alumni_a.user.name in alumni_page
    assert world.operator_a.user.name not in alumni_page
    # The operator of both networks lists both; the alumna of one, one.
    assert alumni_page.count('class="dot"') == 1
    assert "\x00" not in alumni_page


def test_the_links_of_a_role_are_not_shown_to_another_role_reading_after_it(world: World) -> None:
    home = f"/n/{world.net_a.slug}/"
    manage = f"/n/{world.net_a.slug}/manage/"
    assert manage in header(page(world, world.operator_a, home))
    assert manage not in header(page(world, world.alumni_a, home))


def test_a_demoted_operator_loses_the_managers_link_at_once(world: World) -> None:
    home = f"/n/{world.net_a.slug}/"
    manage = f"/n/{world.net_a.slug}/manage/"
    client = world.client(world.supporter_a)
    with scopes_disabled():
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
    assert manage in header(client.get(home).content.decode())
    with scopes_disabled():
        do_change_role(world.operator_a, world.supporter_a, Role.ALUMNI)
    assert manage not in header(client.get(home).content.decode())


def test_the_current_section_is_marked_for_the_page_read(world: World) -> None:
    events = f"/n/{world.net_a.slug}/events/"
    html = header(page(world, world.alumni_a, events))
    assert re.search(rf'<a href="{events}" aria-current="page">', html)
    html = header(page(world, world.alumni_a, f"/n/{world.net_a.slug}/"))
    assert not re.search(rf'<a href="{events}" aria-current="page">', html)


def test_a_renamed_network_shows_its_new_name_at_once(world: World) -> None:
    home = f"/n/{world.net_a.slug}/"
    client = world.client(world.alumni_a)
    assert world.net_a.name in header(client.get(home).content.decode())
    world.net_a.name = "みつば会（新）"
    world.net_a.save()
    assert "みつば会（新）" in header(client.get(home).content.decode())


def test_the_footer_sends_each_page_back_to_itself(world: World) -> None:
    client = world.client(world.alumni_a)
    for path in (f"/n/{world.net_a.slug}/events/", f"/n/{world.net_a.slug}/news/?page=2"):
        html = client.get(path).content.decode()
        footer = re.search(r'<footer class="footer">.*?</footer>', html, re.S)
        assert footer
        assert f'name="next" value="{path.replace("&", "&amp;")}"' in footer.group(0)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', footer.group(0))
        assert token and len(token.group(1)) == 64


def test_the_header_speaks_the_readers_language(world: World) -> None:
    client = world.client(world.alumni_a)
    home = f"/n/{world.net_a.slug}/"
    japanese = client.get(home, headers={"accept-language": "ja"})
    assert "ログアウト" in header(japanese.content.decode())
    client.cookies["django_language"] = "en"
    assert "Log out" in header(client.get(home).content.decode())
