"""Only the network's operators reach announcements: every other member of the network, a
demoted operator at once, a member of another network and outsiders get 403 or 404 on every
page and change nothing. The preview shows only the audience, as each member would read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tsunagu.announce.models import Announcement, Delivery
from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import CANARY_A, World

from .helpers import base, compose_data, make_draft, post_send, reload, send_form

pytestmark = pytest.mark.django_db


def every_page(world: World, slug: str, announcement: Announcement) -> list[tuple[str, str, dict]]:
    root = f"/n/{slug}/manage/announcements/"
    one = f"{root}{announcement.pk}/"
    send = send_form(announcement)
    return [
        ("get", root, {}),
        ("post", root + "limit/", {"monthly_cap": "30"}),
        ("get", root + "new/", {}),
        ("post", root + "new/", compose_data(subject=f"乗っ取り {CANARY_A}")),
        ("get", root + "audience/?audience=all", {}),
        ("get", one, {}),
        ("get", one + "edit/", {}),
        ("post", one + "edit/", compose_data(subject="書き換え")),
        ("get", one + "preview/?q=田中", {}),
        ("get", f"{one}preview/?member={world.alumni_a.pk}", {}),
        ("post", one + "test/", {}),
        ("post", one + "send/", send),
        ("post", one + "delete/", {}),
    ]


def nothing_changed(world: World, announcement: Announcement) -> None:
    with scopes_disabled():
        assert list(Announcement.objects.values_list("pk", flat=True)) == [announcement.pk]
        assert reload(announcement).subject == f"総会のご案内 {CANARY_A}"
        assert reload(announcement).is_draft
        assert not Delivery.objects.exists()
        assert not AuditEntry.objects.filter(action__startswith="announcement.").exists()
    assert mail.outbox == []


def previews() -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=AuditAction.PREVIEW_ANNOUNCEMENT))


def demoted(world: World) -> Membership:
    """An operator who used every page, then was made an alumnus."""
    former = make_member(world.net_a, make_user(name="元 事務局"), role=Role.OPERATOR)
    client = world.client(former)
    assert client.get(base(world)).status_code == 200
    with scope(network=world.net_a):
        do_change_role(world.operator_a, former, Role.ALUMNI)
        former.refresh_from_db()
    return former


@pytest.mark.parametrize("who", ["supporter_a", "employee_a", "alumni_a", "demoted operator"])
def test_members_who_are_not_operators_get_403_everywhere(
    world: World, who: str, django_capture_on_commit_callbacks: Any
) -> None:
    announcement = make_draft(world.operator_a, subject=f"総会のご案内 {CANARY_A}")
    member = demoted(world) if who == "demoted operator" else getattr(world, who)
    client = world.client(member)
    with django_capture_on_commit_callbacks(execute=True):
        for method, url, data in every_page(world, world.net_a.slug, announcement):
            answer = getattr(client, method)(url, data)
            assert answer.status_code == 403, (who, method, url, answer.status_code)
            assert "総会のご案内" not in answer.content.decode(), (who, url)
    nothing_changed(world, announcement)


def test_a_member_of_another_network_gets_nothing_under_either_address(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    announcement = make_draft(world.operator_a, subject=f"総会のご案内 {CANARY_A}")
    with django_capture_on_commit_callbacks(execute=True):
        for member in (world.operator_b, world.supporter_b, world.alumni_b):
            client = world.client(member)
            # Under A's address they are outsiders: sent to A's public page, never a 2xx.
            for method, url, data in every_page(world, world.net_a.slug, announcement):
                answer = getattr(client, method)(url, data)
                assert answer.status_code == 302, (member.role, method, url)
                assert answer["Location"] == f"/n/{world.net_a.slug}/about/"
            # Under their own address, A's announcement is missing, for their operator too.
            for method, url, data in every_page(world, world.net_b.slug, announcement):
                if str(announcement.pk) not in url:
                    continue
                answer = getattr(client, method)(url, data)
                expected = 404 if member.role == Role.OPERATOR else 403
                assert answer.status_code == expected, (member.role, method, url)
                assert CANARY_A not in answer.content.decode()
    nothing_changed(world, announcement)


def test_outsiders_and_anonymous_visitors_get_nothing(world: World) -> None:
    announcement = make_draft(world.operator_a, subject=f"総会のご案内 {CANARY_A}")
    for who in (world.outsider, None):
        client = world.client(who)
        for method, url, data in every_page(world, world.net_a.slug, announcement):
            answer = getattr(client, method)(url, data)
            assert answer.status_code == 302, (who, url)
            assert CANARY_A not in answer.content.decode()
    nothing_changed(world, announcement)


def test_an_operator_previews_a_member_of_the_audience_in_their_language_and_it_is_audited(
    world: World,
) -> None:
    with scopes_disabled():
        world.alumni_a.user.language = "en"
        world.alumni_a.user.save(update_fields=["language"])
    announcement = make_draft(world.operator_a, subject="総会のご案内", audience="alumni")
    client = world.client(world.operator_a)
    url = f"{base(world)}{announcement.pk}/preview/"

    found = client.get(url, {"q": "田中"}).content.decode()
    assert f"?member={world.alumni_a.pk}" in found
    assert not previews()

    page = client.get(url, {"member": world.alumni_a.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hello 田中 花子" in html  # their greeting, in their language
    assert "11月15日に本社で総会を開きます。" in html
    assert "/unsubscribe/" not in html  # their one-click link is theirs to follow
    with scopes_disabled():
        [entry] = AuditEntry.objects.filter(action=AuditAction.PREVIEW_ANNOUNCEMENT)
    assert entry.target_id == world.alumni_a.pk and entry.actor_id == world.operator_a.user_id


def test_the_preview_offers_and_opens_only_members_of_the_audience(world: World) -> None:
    announcement = make_draft(world.operator_a, audience="employees")
    both = make_member(world.net_b, make_user(name="鈴木 共通"))
    client = world.client(world.operator_a)
    url = f"{base(world)}{announcement.pk}/preview/"
    found = client.get(url, {"q": "鈴木"}).content.decode()
    assert f"?member={world.employee_a.pk}" in found and f"?member={both.pk}" not in found
    for member in (world.alumni_a, world.alumni_b, both):
        assert client.get(url, {"member": member.pk}).status_code == 404
    assert client.get(url, {"member": "x"}).status_code == 404
    assert not previews()


def test_the_list_of_sends_asks_the_same_number_of_queries_with_more_of_them(
    world: World, committed: Any, django_assert_num_queries: Any
) -> None:
    client = world.client(world.operator_a)
    client.get(base(world))  # warms the session and membership caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(base(world))
            assert answer.status_code == 200
        return len(queries)

    with committed():
        post_send(client, world, make_draft(world.operator_a, subject="第1号"))
    make_draft(world.operator_a, subject="下書き")
    client.get(base(world))  # the bell, changed by the in-app notification, read again
    few = count()
    with scopes_disabled():
        from tsunagu.announce.models import AnnounceSettings

        AnnounceSettings.objects.update_or_create(network=world.net_a, defaults={"monthly_cap": 31})
    for n in range(2, 12):
        with committed():
            post_send(client, world, make_draft(world.operator_a, subject=f"第{n}号"))
        make_draft(world.operator_a, subject=f"下書き {n}")
    page = client.get(base(world)).content.decode()  # the bell again
    assert "第11号" in page and "下書き 11" in page
    assert count() == few
    # The session, the page's rows and their number, the limit and this month's sends.
    with django_assert_num_queries(5):
        client.get(base(world))
