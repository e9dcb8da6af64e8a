"""Control characters never reach storage: names and titles refuse them (NUL cannot even be
stored by PostgreSQL), and the pages shared between readers show any that got in as �."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.boards.models import Thread
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.tests.test_images import settings_form_data
from tsunagu.core.text import SingleLineField, visible
from tsunagu.events.models import Event
from tsunagu.events.tests.test_pages import event_data
from tsunagu.news.models import Article
from tsunagu.profiles.models import Profile
from tsunagu.profiles.tests.test_profile_pages import form_data as profile_data
from tsunagu.talk.models import Room
from tsunagu.talk.tests.helpers import default_room
from tsunagu.tenancy.models import Network
from tsunagu.testing.world import World

CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x9b"]


@pytest.mark.parametrize("control", CONTROLS, ids=repr)
def test_a_name_with_a_control_character_is_refused_with_one_message(control: str) -> None:
    with pytest.raises(ValidationError) as refused:
        SingleLineField(max_length=100).clean(f"山田{control}花子")

    assert len(refused.value.messages) == 1
    assert "NUL" in refused.value.messages[0]


def test_tabs_and_line_breaks_in_a_name_become_spaces() -> None:
    assert SingleLineField().clean(" 山田\t花子\r\n様\x85 ") == "山田 花子 様"


def test_shared_pages_show_control_characters_and_keep_line_breaks() -> None:
    assert visible("a\x00b\x1bc\x9bd\te\nf\r\n") == "a\ufffdb\ufffdc\ufffdd\te\nf\r\n"


# --- Every form of a name or title, over HTTP (run on PostgreSQL too) ----------------------------

Stored = Callable[[World], list[str]]


def _account(world: World, value: str) -> tuple[Any, str, dict[str, Any], Stored]:
    data = {"name": value, "language": "ja", "time_zone": "Asia/Tokyo"}
    return world.alumni_a, "/accounts/settings/", data, _users


def _users(world: World) -> list[str]:
    return list(User.objects.values_list("name", flat=True))


def _profile(world: World, value: str) -> tuple[Any, str, dict[str, Any], Stored]:
    url = f"/n/{world.net_a.slug}/profile/edit/"
    return world.alumni_a, url, profile_data(display_name=value, name_kanji=value), _profiles


def _profiles(world: World) -> list[str]:
    with scopes_disabled():
        rows = Profile.objects.values_list("display_name", "name_kanji")
    return [text for row in rows for text in row]


def _thread(world: World, value: str) -> tuple[Any, str, dict[str, Any], Stored]:
    category = make_category(world.net_a)
    data = {"category": category.pk, "kind": "discussion", "title": value, "body": "本文です。"}
    return world.alumni_a, f"/n/{world.net_a.slug}/boards/new/", data, _threads


def _threads(world: World) -> list[str]:
    with scopes_disabled():
        return list(Thread.objects.values_list("title", flat=True))


def _event(world: World, value: str) -> tuple[Any, str, dict[str, Any], Stored]:
    url = f"/n/{world.net_a.slug}/events/new/"
    return world.operator_a, url, event_data(title=value, venue=value), _events


def _events(world: World) -> list[str]:
    with scopes_disabled():
        return [text for row in Event.objects.values_list("title", "venue") for text in row]


def _article(world: World, value: str) -> tuple[Any, str, dict[str, Any], Stored]:
    data = {"kind": "column", "title": value, "body": "本文です。", "tags": ""}
    return world.operator_a, f"/n/{world.net_a.slug}/news/new/", data, _articles


def _articles(world: World) -> list[str]:
    with scopes_disabled():
        return list(Article.objects.values_list("title", flat=True))


def _room(world: World, value: str) -> tuple[Any, str, dict[str, Any], Stored]:
    default_room(world.net_a)
    data = {"name": value, "kind": "open", "description": ""}
    return world.operator_a, f"/n/{world.net_a.slug}/talk/manage/", data, _rooms


def _rooms(world: World) -> list[str]:
    with scopes_disabled():
        return list(Room.objects.values_list("name", flat=True))


def _network(world: World, value: str) -> tuple[Any, str, dict[str, Any], Stored]:
    data = settings_form_data(world.net_a, name=value)
    return world.operator_a, f"/n/{world.net_a.slug}/manage/", data, _networks


def _networks(world: World) -> list[str]:
    return list(Network.objects.values_list("name", flat=True))


FORMS = {
    "account name": _account,
    "profile names": _profile,
    "thread title": _thread,
    "event title": _event,
    "article title": _article,
    "room name": _room,
    "network name": _network,
}


@pytest.mark.django_db
@pytest.mark.parametrize("control", ["\x00", "\x1b"], ids=["NUL", "ESC"])
@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_a_name_or_title_with_a_control_character_gets_a_field_error(
    world: World, form: Any, control: str
) -> None:
    member, url, data, stored = form(world, f"新年会{control}2027")

    response = world.client(member).post(url, data)

    if control == "\x00":  # no keyboard types one: refused before any form (core/badrequest.py)
        assert response.status_code == 400
        assert "受け付けられない内容" in response.content.decode()
    else:  # the form again, with the field's error (some pages answer 400 for a bad form)
        assert response.status_code in (200, 400)
        assert "NUL" in response.content.decode()
    assert not any(control in text for text in stored(world))


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_a_name_or_title_pasted_with_a_tab_is_saved_with_a_space(world: World, form: Any) -> None:
    member, url, data, stored = form(world, "新年会\t2027")

    response = world.client(member).post(url, data)

    assert response.status_code == 302
    assert "新年会 2027" in stored(world)
