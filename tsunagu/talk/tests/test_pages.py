"""Talk pages without JavaScript: rooms, sending by form, threads, stamps, edits, moderation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.notify.models import Notification
from tsunagu.talk.models import Message, Reaction, Room, RoomKind, RoomMember
from tsunagu.talk.tests.helpers import default_room, fill_room, make_room, post
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def url(world: World, path: str = "", network: Any = None) -> str:
    return f"/n/{(network or world.net_a).slug}/talk/{path}"


def send_form(client: Any, world: World, room: Room, body: str, client_id: str = "form-1", **extra):
    return client.post(
        url(world, f"r/{room.pk}/send/"), {"body": body, "client_id": client_id, **extra}
    )


def test_every_new_network_has_a_casual_room_with_its_members_in_it(world: World) -> None:
    room = default_room(world.net_a)
    assert room.name == "雑談"
    assert room.kind == RoomKind.OPEN
    with scopes_disabled():
        members = set(RoomMember.objects.filter(room=room).values_list("member_id", flat=True))
    assert world.alumni_a.pk in members and world.operator_a.pk in members
    assert world.alumni_b.pk not in members
    network = make_network(slug="new-net")
    with scopes_disabled():
        assert Room.objects.filter(network=network, is_default=True).count() == 1


def test_a_member_posts_by_form_and_another_sees_it_with_an_unread_count(world: World) -> None:
    room = default_room(world.net_a)
    alumni = world.client(world.alumni_a)
    response = send_form(alumni, world, room, "昨日は**飲みました**！ 楽しかったです")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/talk/r/{room.pk}/#m1")
    employee = world.client(world.employee_a)
    index = employee.get(url(world)).content.decode()
    assert "雑談" in index
    assert re.search(r'data-room-unread\s*aria-label="[^"]*">1<', index)
    assert re.search(r"data-talk-unread\s*>1<", index)  # the total in the navigation
    page = employee.get(url(world, f"r/{room.pk}/")).content.decode()
    assert "<strong>飲みました</strong>" in page
    # Reading the room clears its count.
    index = employee.get(url(world)).content.decode()
    assert re.search(r"data-talk-unread\s*hidden>0<", index)


def test_the_same_form_sent_twice_is_stored_once(world: World) -> None:
    room = default_room(world.net_a)
    alumni = world.client(world.alumni_a)
    send_form(alumni, world, room, "二重送信テスト", client_id="form-abc")
    send_form(alumni, world, room, "二重送信テスト", client_id="form-abc")
    with scopes_disabled():
        assert Message.objects.filter(room=room, body="二重送信テスト").count() == 1


def test_empty_and_too_long_messages_are_refused_in_japanese(world: World) -> None:
    room = default_room(world.net_a)
    alumni = world.client(world.alumni_a)
    page = alumni.post(
        url(world, f"r/{room.pk}/send/"), {"body": "   ", "client_id": "form-e"}, follow=True
    )
    assert "メッセージを入力してください" in page.content.decode()
    page = alumni.post(
        url(world, f"r/{room.pk}/send/"), {"body": "あ" * 4001, "client_id": "form-l"}, follow=True
    )
    assert "4000" in page.content.decode()
    with scopes_disabled():
        assert not Message.objects.filter(room=room).exists()


def test_older_messages_are_paged_by_sequence(world: World) -> None:
    room = default_room(world.net_a)
    fill_room(room, [world.alumni_a, world.employee_a], 120)
    client = world.client(world.alumni_a)
    response = client.get(url(world, f"r/{room.pk}/"))
    page = response.content.decode()
    assert "おはようございます 120" in page and "おはようございます 71" in page
    assert "おはようございます 70<" not in page
    assert 'href="?before=71"' in page
    older = client.get(url(world, f"r/{room.pk}/?before=71")).content.decode()
    assert "おはようございます 70" in older and "おはようございます 21" in older
    assert "おはようございます 71<" not in older
    oldest = client.get(url(world, f"r/{room.pk}/?before=21")).content.decode()
    assert "おはようございます 1<" in oldest and 'href="?before=' not in oldest
    htmx = client.get(url(world, f"r/{room.pk}/?before=71"), HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.content.decode()


def count_queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def changed(room: Room) -> None:
    """Moves the room's revision on, as an edit would: its pages are built again."""
    with scopes_disabled():
        Room.objects.filter(pk=room.pk).update(revision=F("revision") + 1)


def test_room_page_queries_do_not_grow_with_messages(
    world: World, django_assert_max_num_queries: Any
) -> None:
    small = make_room(world.operator_a, name="小部屋")
    large = make_room(world.operator_a, name="大部屋")
    members = [world.alumni_a, world.employee_a, world.supporter_a]
    fill_room(small, members, 20)
    fill_room(large, members, 2000)
    with scopes_disabled():
        for room in (small, large):
            ids = list(Message.objects.filter(room=room).values_list("pk", flat=True)[:200])
            Reaction.objects.bulk_create(
                Reaction(network=world.net_a, message_id=i, member=m, stamp="like")
                for i in ids
                for m in members
            )
    client = world.client(world.alumni_a)
    client.get(url(world, f"r/{small.pk}/"))
    cached = count_queries(client, url(world, f"r/{small.pk}/"))
    assert cached <= 2  # the session; the room with the reader's place in it
    changed(small)
    budget = count_queries(client, url(world, f"r/{small.pk}/"))
    assert budget <= 6  # and the page's messages, their files, their stamps, the pinned ones
    client.get(url(world, f"r/{large.pk}/"))  # marks the room read: one write
    with django_assert_max_num_queries(cached):
        client.get(url(world, f"r/{large.pk}/"))
    changed(large)
    with django_assert_max_num_queries(budget):
        client.get(url(world, f"r/{large.pk}/"))
    with django_assert_max_num_queries(budget):
        client.get(url(world, f"r/{large.pk}/?before=1000"))


def test_room_list_queries_do_not_grow_with_rooms(
    world: World, django_assert_max_num_queries: Any
) -> None:
    from tsunagu.talk.actions import do_open_direct, do_open_office

    for i in range(3):
        room = make_room(world.operator_a, name=f"部屋{i}")
        post(world.operator_a, room, "こんにちは")
    with scope(network=world.net_a):
        do_open_direct(world.operator_a, world.alumni_a)
        do_open_office(world.alumni_a)
    client = world.client(world.operator_a)
    client.get(url(world))
    budget = count_queries(client, url(world))
    assert budget <= 2  # the session; the rooms with the reader's places, titles and counts
    for i in range(30):
        room = make_room(world.operator_a, name=f"大部屋{i}")
        post(world.operator_a, room, "こんにちは")
        make_room(world.operator_a, name=f"参加可能{i}", kind=RoomKind.OPEN)
    with scope(network=world.net_a):
        for member in (world.employee_a, world.supporter_a):
            do_open_direct(world.operator_a, member)
            do_open_office(member)
    client.get(url(world))
    with django_assert_max_num_queries(budget):
        response = client.get(url(world))
    assert "大部屋29" in response.content.decode()


def test_replies_form_a_thread_under_their_message(world: World) -> None:
    room = default_room(world.net_a)
    root = post(world.alumni_a, room, "来週の朝活、どなたか参加しますか？")
    client = world.client(world.employee_a)
    response = client.post(
        url(world, f"r/{room.pk}/send/"),
        {"body": "参加します！", "client_id": "form-r1", "thread": root.pk},
    )
    assert response["Location"].endswith(f"/m/{root.pk}/#m2")
    timeline = client.get(url(world, f"r/{room.pk}/")).content.decode()
    assert "参加します！" not in timeline
    assert "1件の返信" in timeline
    thread = client.get(url(world, f"r/{room.pk}/m/{root.pk}/")).content.decode()
    assert "来週の朝活" in thread and "参加します！" in thread


def test_stamps_toggle_and_show_who_sent_them(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "新しい職場に慣れてきました")
    supporter = world.client(world.supporter_a)
    supporter.post(url(world, f"r/{room.pk}/m/{message.pk}/react/"), {"stamp": "like"})
    supporter.post(url(world, f"r/{room.pk}/m/{message.pk}/react/"), {"emoji": "🎊"})
    page = world.client(world.alumni_a).get(url(world, f"r/{room.pk}/")).content.decode()
    assert "👍" in page and "🎊" in page and "高橋 健太" in page
    supporter.post(url(world, f"r/{room.pk}/m/{message.pk}/react/"), {"stamp": "like"})
    with scopes_disabled():
        assert list(Reaction.objects.values_list("stamp", flat=True)) == ["🎊"]
    supporter.post(url(world, f"r/{room.pk}/m/{message.pk}/react/"), {"emoji": "<b>"})
    with scopes_disabled():
        assert Reaction.objects.count() == 1


def test_only_the_author_edits_and_deletes_and_operators_hide(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "誤字がありまsた")
    other = world.client(world.employee_a)
    assert (
        other.post(url(world, f"r/{room.pk}/m/{message.pk}/edit/"), {"body": "x"}).status_code
        == 403
    )
    assert other.post(url(world, f"r/{room.pk}/m/{message.pk}/delete/")).status_code == 403
    author = world.client(world.alumni_a)
    author.post(url(world, f"r/{room.pk}/m/{message.pk}/edit/"), {"body": "誤字を直しました"})
    page = other.get(url(world, f"r/{room.pk}/")).content.decode()
    assert "誤字を直しました" in page and "（編集済み）" in page
    operator = world.client(world.operator_a)
    assert (
        other.post(
            url(world, f"r/{room.pk}/m/{message.pk}/moderate/"), {"action": "hide"}
        ).status_code
        == 403
    )
    operator.post(url(world, f"r/{room.pk}/m/{message.pk}/moderate/"), {"action": "hide"})
    page = other.get(url(world, f"r/{room.pk}/")).content.decode()
    assert "誤字を直しました" not in page and "運営事務局が非表示に" in page
    assert "誤字を直しました" in operator.get(url(world, f"r/{room.pk}/")).content.decode()
    second = post(world.alumni_a, room, "消します")
    author.post(url(world, f"r/{room.pk}/m/{second.pk}/delete/"))
    page = other.get(url(world, f"r/{room.pk}/")).content.decode()
    assert "消します" not in page and "このメッセージは削除されました" in page


def test_operators_pin_messages_shown_above_the_room(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.operator_a, room, "総会は11月20日です")
    member = world.client(world.alumni_a)
    assert (
        member.post(
            url(world, f"r/{room.pk}/m/{message.pk}/moderate/"), {"action": "pin"}
        ).status_code
        == 403
    )
    world.client(world.operator_a).post(
        url(world, f"r/{room.pk}/m/{message.pk}/moderate/"), {"action": "pin"}
    )
    page = member.get(url(world, f"r/{room.pk}/")).content.decode()
    assert "talk-pinned" in page and "総会は11月20日です" in page


def test_search_finds_messages_of_the_room_only(world: World) -> None:
    room = default_room(world.net_a)
    other = make_room(world.operator_a, name="朝活")
    post(world.alumni_a, room, "自己紹介リレーの録画はこちら")
    post(world.alumni_a, room, "今日はランチ会です")
    post(world.operator_a, other, "自己紹介リレーの資料")
    page = world.client(world.alumni_a).get(url(world, f"r/{room.pk}/search/?q=自己紹介　録画"))
    body = page.content.decode()
    assert "自己紹介リレーの録画はこちら" in body
    assert "ランチ会" not in body and "資料" not in body


def test_room_kinds_decide_who_reads_and_who_posts(world: World) -> None:
    announcement = make_room(world.operator_a, name="お知らせ", kind=RoomKind.ANNOUNCEMENT)
    alumni_only = make_room(world.operator_a, name="OB・OG限定", kind=RoomKind.ALUMNI)
    employees = make_room(world.operator_a, name="社員限定", kind=RoomKind.EMPLOYEE)
    closed = make_room(world.operator_a, name="運営チーム", kind=RoomKind.CLOSED)
    alumni = world.client(world.alumni_a)
    employee = world.client(world.employee_a)
    assert alumni.get(url(world, f"r/{announcement.pk}/")).status_code == 200
    assert send_form(alumni, world, announcement, "投稿できる？").status_code == 403
    assert (
        send_form(world.client(world.operator_a), world, announcement, "お知らせです").status_code
        == 302
    )
    assert alumni.get(url(world, f"r/{alumni_only.pk}/")).status_code == 200
    assert employee.get(url(world, f"r/{alumni_only.pk}/")).status_code == 404
    assert employee.get(url(world, f"r/{employees.pk}/")).status_code == 200
    assert alumni.get(url(world, f"r/{employees.pk}/")).status_code == 404
    assert alumni.get(url(world, f"r/{closed.pk}/")).status_code == 404
    assert "運営チーム" not in alumni.get(url(world)).content.decode()
    # Joining an open room by posting; a closed one only by invitation.
    assert alumni.post(url(world, f"r/{closed.pk}/join/")).status_code == 404
    world.client(world.operator_a).post(
        url(world, f"r/{closed.pk}/members/"), {"invite": [world.alumni_a.pk]}
    )
    assert alumni.get(url(world, f"r/{closed.pk}/")).status_code == 200
    assert send_form(alumni, world, closed, "招待ありがとうございます").status_code == 302


def test_direct_messages_group_chats_and_the_office(world: World) -> None:
    alumni = world.client(world.alumni_a)
    response = alumni.post(url(world, f"dm/{world.employee_a.pk}/"))
    room_url = response["Location"]
    assert alumni.post(url(world, f"dm/{world.employee_a.pk}/"))["Location"] == room_url
    with scopes_disabled():
        dm = Room.objects.get(kind=RoomKind.DIRECT)
    alumni.post(url(world, f"r/{dm.pk}/send/"), {"body": "お久しぶりです", "client_id": "form-d"})
    employee = world.client(world.employee_a)
    page = employee.get(room_url).content.decode()
    assert "お久しぶりです" in page and "田中 花子" in page
    assert world.client(world.supporter_a).get(room_url).status_code == 404
    assert world.client(world.operator_a).get(room_url).status_code == 404
    with scopes_disabled():
        assert Notification.objects.filter(
            recipient=world.employee_a.user, kind="talk_direct"
        ).exists()
    # Office
    office = alumni.post(url(world, "office/"))["Location"]
    alumni.post(office + "send/", {"body": "退職証明書の件で相談です", "client_id": "form-o"})
    assert "退職証明書" in world.client(world.operator_a).get(office).content.decode()
    assert world.client(world.supporter_a).get(office).status_code == 404
    # Group chat
    response = alumni.post(
        url(world, "groups/new/"),
        {"name": "同期会", "members": [world.employee_a.pk, world.supporter_a.pk]},
    )
    group_url = response["Location"]
    assert "同期会" in world.client(world.supporter_a).get(group_url).content.decode()
    assert world.client(world.operator_a).get(group_url).status_code == 404


def test_operators_create_and_archive_rooms(world: World) -> None:
    operator = world.client(world.operator_a)
    assert world.client(world.alumni_a).get(url(world, "manage/")).status_code == 403
    response = operator.post(
        url(world, "manage/"), {"name": "関西支部", "kind": "open", "description": "関西在住の方"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        room = Room.objects.get(name="関西支部")
    operator.post(url(world, f"manage/{room.pk}/"), {"archive": "1"})
    alumni = world.client(world.alumni_a)
    page = alumni.get(url(world, f"r/{room.pk}/")).content.decode()
    assert "アーカイブ" in page
    assert send_form(alumni, world, room, "まだ書ける？").status_code == 403


def test_mentions_notify_only_members_who_can_read_the_room(world: World) -> None:
    employee = make_member(world.net_a, make_user(name="山口 恵"), role=Role.EMPLOYEE)
    room = default_room(world.net_a)
    post(world.alumni_a, room, "@山口恵 さん、資料ありがとうございます")
    with scopes_disabled():
        mentions = Notification.objects.filter(recipient=employee.user, kind="talk_mention")
        assert mentions.count() == 1
    alumni_room = make_room(world.operator_a, name="OB限定", kind=RoomKind.ALUMNI)
    post(world.operator_a, alumni_room, "@山口恵 さんには見えない")
    with scopes_disabled():
        assert mentions.count() == 1


def test_a_flood_of_messages_is_stopped_with_a_clear_message(world: World, settings) -> None:
    settings.TALK_RATE_MESSAGES = 3
    room = default_room(world.net_a)
    alumni = world.client(world.alumni_a)
    for i in range(3):
        send_form(alumni, world, room, f"連投{i}", client_id=f"form-f{i}")
    page = send_form(alumni, world, room, "連投3", client_id="form-f3")
    page = alumni.get(page["Location"]).content.decode()
    assert "送信が速すぎます" in page
    with scopes_disabled():
        assert Message.objects.filter(room=room).count() == 3


def test_mentions_and_their_emails_stay_inside_the_network(world: World) -> None:
    # A name that exists only in network B is no one in network A.
    room = default_room(world.net_a)
    post(world.alumni_a, room, f"@山本翔太 さん元気？ {CANARY_A}")
    with scopes_disabled():
        assert not Notification.objects.filter(recipient=world.alumni_b.user).exists()
    assert all(world.alumni_b.user.email not in m.to for m in mail.outbox)


def test_an_operator_appointed_later_is_in_the_existing_office_conversations(world: World) -> None:
    from tsunagu.talk.actions import do_open_office
    from tsunagu.tenancy.actions import do_change_role

    with scope(network=world.net_a):
        office = do_open_office(world.alumni_a)
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
    with scopes_disabled():
        assert RoomMember.objects.filter(room=office, member=world.supporter_a).exists()
        assert not RoomMember.objects.filter(room=office, member=world.employee_a).exists()


def test_only_members_of_a_room_send_stamps(world: World) -> None:
    room = make_room(world.operator_a, name="朝活")
    message = post(world.operator_a, room, "おはようございます")
    visitor = world.client(world.alumni_a)  # may read the open room, has not joined it
    page = visitor.post(
        url(world, f"r/{room.pk}/m/{message.pk}/react/"), {"stamp": "like"}, follow=True
    )
    assert "スタンプを送るにはルームに参加してください" in page.content.decode()
    with scopes_disabled():
        assert not Reaction.objects.exists()
