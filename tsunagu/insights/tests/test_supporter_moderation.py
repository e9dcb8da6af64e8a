"""Supporters moderate the boards and talk rooms where the network lets them, and the right
ends at once when the setting goes off or the supporter is no longer one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from tsunagu.boards import actions as boards
from tsunagu.boards.models import Comment, Report, Thread
from tsunagu.boards.tests.helpers import make_thread
from tsunagu.talk import actions as talk
from tsunagu.talk.models import Message, RoomKind
from tsunagu.talk.tests.helpers import make_room, post
from tsunagu.tenancy.models import Membership, Network, Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def boards_url(world: World, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/boards/{path}"


def allow(network: Network, allowed: bool = True) -> None:
    network.supporters_may_moderate = allowed
    network.save()


def fresh(member: Membership) -> Membership:
    """The member as a new request would load them."""
    with scopes_disabled():
        return Membership.objects.select_related("network", "user").get(pk=member.pk)


def a_report(world: World) -> tuple[Thread, Comment, Report]:
    thread = make_thread(world.alumni_a, title="転職の相談")
    with scope(network=world.net_a):
        comment = boards.do_add_comment(world.employee_a, thread, body="宣伝です、このリンクへ")
        report = boards.do_report(world.alumni_a, thread, comment, "宣伝の書き込みです")
    return thread, comment, report


def test_supporters_do_not_moderate_unless_the_network_allows_it(world: World) -> None:
    thread, _comment, report = a_report(world)
    client = world.client(world.supporter_a)
    assert not world.net_a.supporters_may_moderate  # off by default
    assert client.get(boards_url(world, "moderation/")).status_code == 403
    response = client.post(boards_url(world, f"t/{thread.pk}/moderate/"), {"action": "lock"})
    assert response.status_code == 403
    with scopes_disabled():
        thread.refresh_from_db()
    assert not thread.is_locked


def test_an_allowed_supporter_works_the_report_queue_hides_and_locks(world: World) -> None:
    allow(world.net_a)
    thread, comment, report = a_report(world)
    client = world.client(world.supporter_a)
    queue = client.get(boards_url(world, "moderation/"))
    assert queue.status_code == 200
    assert "宣伝の書き込みです" in queue.content.decode()
    client.post(boards_url(world, f"moderation/{report.pk}/"), {"outcome": "hidden"})
    client.post(boards_url(world, f"t/{thread.pk}/moderate/"), {"action": "lock"})
    with scopes_disabled():
        comment.refresh_from_db()
        thread.refresh_from_db()
        report.refresh_from_db()
    assert comment.is_hidden and thread.is_locked
    assert report.resolved_by_id == world.supporter_a.pk
    # The board's structure stays with the operators.
    response = client.post(boards_url(world, "manage/categories/"), {"name": "雑談2"})
    assert response.status_code == 403
    index = client.get(boards_url(world)).content.decode()
    assert "通報の確認" in index  # the link to the report queue
    assert "manage/categories/" not in index


def test_turning_the_setting_off_ends_board_moderation_at_once(world: World) -> None:
    allow(world.net_a)
    thread = make_thread(world.alumni_a, title="非表示にされた話題")
    client = world.client(world.supporter_a)
    client.post(boards_url(world, f"t/{thread.pk}/moderate/"), {"action": "hide"})
    assert client.get(boards_url(world, f"t/{thread.pk}/")).status_code == 200  # moderators see it

    # The operator turns the setting off on the network's settings page.
    operator = world.client(world.operator_a)
    with scopes_disabled():
        network = Network.objects.get(pk=world.net_a.pk)
    response = operator.post(
        f"/n/{world.net_a.slug}/manage/",
        {"name": network.name, "slug": network.slug, "brand_color": network.brand_color},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert not Network.objects.get(pk=world.net_a.pk).supporters_may_moderate

    # The very next requests: no queue, no action, and the hidden thread is hidden again.
    assert client.get(boards_url(world, "moderation/")).status_code == 403
    response = client.post(boards_url(world, f"t/{thread.pk}/moderate/"), {"action": "unhide"})
    assert response.status_code == 403
    assert client.get(boards_url(world, f"t/{thread.pk}/")).status_code == 404
    # The action refuses too, whoever calls it.
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        boards.do_moderate_thread(fresh(world.supporter_a), thread, "unhide")
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.is_hidden


def test_a_demoted_supporter_no_longer_moderates(world: World) -> None:
    allow(world.net_a)
    thread, _comment, report = a_report(world)
    client = world.client(world.supporter_a)
    assert client.get(boards_url(world, "moderation/")).status_code == 200
    operator = world.client(world.operator_a)
    response = operator.post(
        f"/n/{world.net_a.slug}/manage/members/{world.supporter_a.pk}/",
        {"role": Role.ALUMNI, "status": "active"},
    )
    assert response.status_code in (200, 302)
    assert fresh(world.supporter_a).role == Role.ALUMNI
    assert client.get(boards_url(world, "moderation/")).status_code == 403
    response = client.post(boards_url(world, f"moderation/{report.pk}/"), {"outcome": "hidden"})
    assert response.status_code == 403
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        boards.do_resolve_report(fresh(world.supporter_a), report, "hidden")
    with scopes_disabled():
        assert Report.objects.get(pk=report.pk).resolved_at is None


# --- Talk -----------------------------------------------------------------------------------


def talk_url(world: World, room_id: int, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/talk/r/{room_id}/{path}"


def test_an_allowed_supporter_hides_a_message_and_loses_the_right_when_it_goes_off(
    world: World,
) -> None:
    room = make_room(world.operator_a, name="雑談ルーム", kind=RoomKind.OPEN)
    with scope(network=world.net_a):
        talk.do_join_room(world.supporter_a, room)
        talk.do_join_room(world.alumni_a, room)
    message = post(world.alumni_a, room, "この投稿は規約違反です")
    later = post(world.alumni_a, room, "二つ目の規約違反")
    client = world.client(world.supporter_a)

    # Off: the supporter cannot hide.
    response = client.post(
        talk_url(world, room.pk, f"m/{message.pk}/moderate/"), {"action": "hide"}
    )
    assert response.status_code == 403

    allow(world.net_a)
    response = client.post(
        talk_url(world, room.pk, f"m/{message.pk}/moderate/"), {"action": "hide"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Message.objects.get(pk=message.pk).is_hidden
    page = client.get(talk_url(world, room.pk)).content.decode()
    assert "この投稿は規約違反です" in page  # moderators still read what they hid

    allow(world.net_a, False)
    response = client.post(talk_url(world, room.pk, f"m/{later.pk}/moderate/"), {"action": "hide"})
    assert response.status_code == 403
    page = client.get(talk_url(world, room.pk)).content.decode()
    assert "この投稿は規約違反です" not in page
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        talk.do_set_hidden(fresh(world.supporter_a), later, True)
    with scopes_disabled():
        assert not Message.objects.get(pk=later.pk).is_hidden


def test_a_demoted_supporter_no_longer_hides_messages(world: World) -> None:
    allow(world.net_a)
    room = make_room(world.operator_a, name="雑談ルーム", kind=RoomKind.OPEN)
    with scope(network=world.net_a):
        talk.do_join_room(world.supporter_a, room)
    message = post(world.operator_a, room, "連絡事項")
    with scope(network=world.net_a):
        from tsunagu.tenancy.actions import do_change_role

        do_change_role(world.operator_a, fresh(world.supporter_a), Role.ALUMNI)
    client = world.client(world.supporter_a)
    response = client.post(
        talk_url(world, room.pk, f"m/{message.pk}/moderate/"), {"action": "hide"}
    )
    assert response.status_code == 403
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        talk.do_set_hidden(fresh(world.supporter_a), message, True)


def test_supporters_never_moderate_private_conversations_or_the_office(world: World) -> None:
    allow(world.net_a)
    from tsunagu.talk.access import can_moderate

    supporter = fresh(world.supporter_a)
    with scopes_disabled():
        for kind in (RoomKind.GROUP, RoomKind.DIRECT, RoomKind.OFFICE, RoomKind.CLOSED):
            room = world.net_a and type("R", (), {"kind": kind})()
            assert not can_moderate(supporter, room), kind  # type: ignore[arg-type]
        for kind in (RoomKind.OPEN, RoomKind.ANNOUNCEMENT, RoomKind.ALUMNI):
            room = type("R", (), {"kind": kind})()
            assert can_moderate(supporter, room), kind  # type: ignore[arg-type]


def test_operators_turn_supporter_moderation_on_in_the_network_settings(world: World) -> None:
    operator = world.client(world.operator_a)
    page = operator.get(f"/n/{world.net_a.slug}/manage/").content.decode()
    assert 'name="supporters_may_moderate"' in page
    operator.post(
        f"/n/{world.net_a.slug}/manage/",
        {
            "name": world.net_a.name,
            "brand_color": world.net_a.brand_color,
            "supporters_may_moderate": "on",
        },
    )
    with scopes_disabled():
        assert Network.objects.get(pk=world.net_a.pk).supporters_may_moderate
    assert world.client(world.supporter_a).get(boards_url(world, "moderation/")).status_code == 200
    # Nobody else gains anything from it.
    for who in (world.alumni_a, world.employee_a):
        assert world.client(who).get(boards_url(world, "moderation/")).status_code == 403
    # A supporter of network B moderates nothing in A.
    assert world.client(world.supporter_b).get(boards_url(world, "moderation/")).status_code == 302
