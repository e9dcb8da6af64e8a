"""The room list: each room the member is in shows its newest message (who wrote it, the start of
its text, when) beside the unread count, stored on the room by the actions that change it."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import TestCase
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.middleware import TIME_ZONE_COOKIE
from tsunagu.core.testing.factories import PASSWORD
from tsunagu.privacy.models import Erasure
from tsunagu.privacy.tasks import erase_due_accounts
from tsunagu.talk.actions import do_delete_message, do_edit_message, do_set_hidden
from tsunagu.talk.excerpts import excerpt_of
from tsunagu.talk.models import Room, RoomKind
from tsunagu.talk.tests.helpers import default_room, make_room, post
from tsunagu.talk.tests.test_files import png
from tsunagu.tenancy.actions import do_change_role, do_leave_network
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def list_page(world: World, member: Membership, zone: str = "") -> str:
    client = world.client(member)
    if zone:
        client.cookies[TIME_ZONE_COOKIE] = zone
    response = client.get(f"/n/{member.network.slug}/talk/")
    assert response.status_code == 200
    return response.content.decode()


def row_of(page: str, room_id: int) -> str:
    row = re.search(rf'<li data-room="{room_id}">(.*?)</li>', page, re.S)
    assert row is not None, f"room {room_id} is not listed"
    return row.group(1)


def last_line(world: World, room_id: int, member: Membership | None = None) -> str | None:
    """The text of the line under the room in the member's list (the operator's by default),
    None when it shows none."""
    row = row_of(list_page(world, member or world.operator_a), room_id)
    line = re.search(r"<p [^>]*data-room-last([^>]*)>(.*?)</p>", row, re.S)
    if line is None or "hidden" in line.group(1):
        return None
    return " ".join(re.sub(r"<[^>]+>", "", line.group(2)).split())


def text_of(line: str | None) -> str:
    """The line without its time at the end."""
    assert line is not None
    return re.sub(r" \d\d/\d\d \d\d:\d\d$", "", line)


def test_the_list_shows_the_newest_message_who_wrote_it_and_when(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "おはようございます")
    first = post(
        world.employee_a, room, "**今日**は <雨> です\n\n傘を[お忘れなく](https://example.com)"
    )
    employee = world.employee_a.user.name
    expected = f"{employee}: 今日は &lt;雨&gt; です 傘をお忘れなく"
    assert text_of(last_line(world, room.pk)) == expected
    # A reply stays in its thread.
    post(world.alumni_a, room, "了解です", thread_root=first)
    assert text_of(last_line(world, room.pk)) == expected
    # A long message shows its first forty characters.
    post(world.supporter_a, room, "長い話です。" * 20)
    shown = text_of(last_line(world, room.pk)).split(": ", 1)[1]
    assert shown == ("長い話です。" * 7)[:40] + "…"


def test_the_time_is_written_in_the_readers_zone(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "おはようございます")
    with scopes_disabled():
        Room.objects.filter(pk=room.pk).update(excerpt_at=datetime(2026, 4, 1, 0, 30, tzinfo=UTC))
    tokyo = row_of(list_page(world, world.employee_a, "Asia/Tokyo"), room.pk)
    assert '<time datetime="2026-04-01T00:30:00+00:00" data-last-at>04/01 09:30</time>' in tokyo
    new_york = row_of(list_page(world, world.employee_a, "America/New_York"), room.pk)
    assert ">03/31 20:30</time>" in new_york


def test_an_edit_shows_and_a_deletion_takes_the_text_away(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "おはようございます")
    newest = post(world.employee_a, room, "明日は休みます")
    with scope(network=world.net_a):
        do_edit_message(world.employee_a, newest, "明日は午後から参加します")
    assert text_of(last_line(world, room.pk)).endswith(": 明日は午後から参加します")
    # Editing an older message leaves the line alone.
    with scope(network=world.net_a):
        older = post(world.supporter_a, room, "ようこそ")
        post(world.alumni_a, room, "ありがとうございます")
        do_edit_message(world.supporter_a, older, "ようこそ、皆さん")
    assert text_of(last_line(world, room.pk)).endswith(": ありがとうございます")
    with scopes_disabled():
        newest = room.messages.order_by("-seq").first()
    with scope(network=world.net_a):
        do_delete_message(world.alumni_a, newest)
    page = list_page(world, world.operator_a)
    assert "ありがとうございます" not in page
    assert text_of(last_line(world, room.pk)) == f"{world.supporter_a.user.name}: ようこそ、皆さん"


def test_a_hidden_message_leaves_the_list_until_it_is_shown_again(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "おはようございます")
    rude = post(world.employee_a, room, "不適切な書き込み")
    with scope(network=world.net_a):
        do_set_hidden(world.operator_a, rude, True)
    # Not even to the operator who hid it.
    assert text_of(last_line(world, room.pk)) == f"{world.alumni_a.user.name}: おはようございます"
    with scope(network=world.net_a):
        do_set_hidden(world.operator_a, rude, False)
    assert text_of(last_line(world, room.pk)).endswith(": 不適切な書き込み")


def test_a_room_whose_messages_are_all_gone_shows_no_line(world: World) -> None:
    room = make_room(world.operator_a, name="新しい部屋")
    assert last_line(world, room.pk) is None
    only = post(world.operator_a, room, "最初の投稿")
    with scope(network=world.net_a):
        do_delete_message(world.operator_a, only)
    assert last_line(world, room.pk) is None
    with scopes_disabled():
        assert Room.objects.get(pk=room.pk).excerpt_seq is None


def test_a_file_alone_and_a_member_who_left(world: World) -> None:
    room = default_room(world.net_a)
    post(world.employee_a, room, "", upload=png((80, 60)))
    employee = world.employee_a.user.name
    with translation.override("ja"):  # 「ファイルを送信しました」 once the catalogue has it
        sent_a_file = gettext("Sent a file")
    assert text_of(last_line(world, room.pk)) == f"{employee}: {sent_a_file}"
    post(world.employee_a, room, "お世話になりました")
    with scope(network=world.net_a):
        do_leave_network(world.employee_a)
    assert text_of(last_line(world, room.pk)) == "退会したメンバー: お世話になりました"


def test_only_rooms_the_member_may_read_show_their_message(world: World) -> None:
    alumni_room = make_room(world.operator_a, name="OB・OG限定", kind=RoomKind.ALUMNI)
    open_room = make_room(world.operator_a, name="朝活")
    with scope(network=world.net_a):
        from tsunagu.talk.actions import do_join_room

        do_join_room(world.alumni_a, alumni_room)
    post(world.alumni_a, alumni_room, "OB限定の秘密の話")
    post(world.operator_a, open_room, "朝活の連絡です")
    # Rooms one may join show their name, never what is said in them.
    page = list_page(world, world.employee_a)
    assert "朝活" in page and "朝活の連絡です" not in page
    assert "OB・OG限定" not in page
    # A place that outlived the right to read it (the alumna became an employee) shows no line.
    assert text_of(last_line(world, alumni_room.pk, world.alumni_a)).endswith("秘密の話")
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.alumni_a, Role.EMPLOYEE)
    with scopes_disabled():
        world.alumni_a.refresh_from_db()
    page = list_page(world, world.alumni_a)
    assert "OB限定の秘密の話" not in page
    # Network B lists nothing of network A.
    assert "朝活の連絡です" not in list_page(world, world.operator_b)


def test_an_erased_account_takes_its_text_out_of_the_list(world: World) -> None:
    room = default_room(world.net_a)
    post(world.employee_a, room, "おはようございます")
    post(world.alumni_a, room, "消えるべきカナリア")
    with TestCase.captureOnCommitCallbacks(execute=True):
        world.client(world.alumni_a).post(
            "/accounts/privacy/delete/", {"password": PASSWORD, "posts": "tombstone"}
        )
    Erasure.objects.update(due_at=timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert erase_due_accounts() == 1
    with scopes_disabled():
        assert "カナリア" not in Room.objects.get(pk=room.pk).excerpt
    assert text_of(last_line(world, room.pk)) == f"{world.employee_a.user.name}: おはようございます"


def test_the_migration_fills_rooms_that_existed_before(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "**前から**ある部屋")
    hidden = post(world.employee_a, room, "隠された投稿")
    with scope(network=world.net_a):
        do_set_hidden(world.operator_a, hidden, True)
    with scopes_disabled():
        Room.objects.update(excerpt_seq=None, excerpt_sender=None, excerpt="", excerpt_at=None)
    migration = importlib.import_module("tsunagu.talk.migrations.0006_room_excerpt")
    with scopes_disabled():
        migration.fill_excerpts(django_apps, SimpleNamespace(connection=connection))
        filled = Room.objects.get(pk=room.pk)
    assert (filled.excerpt_seq, filled.excerpt_sender_id) == (1, world.alumni_a.pk)
    assert filled.excerpt == "前からある部屋"
    assert excerpt_of("<p><strong>前から</strong>ある部屋</p>") == "前からある部屋"
    assert migration.excerpt_of("<p>a &amp; b</p>\n<p>c" + "d" * 50) == excerpt_of(
        "<p>a &amp; b</p>\n<p>c" + "d" * 50
    )
