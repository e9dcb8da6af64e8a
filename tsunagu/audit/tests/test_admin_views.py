"""The site administrator's views of members' data in /admin/ are in the networks' audit logs."""

from __future__ import annotations

from django.test import Client
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.audit.models import AuditEntry
from tsunagu.boards.actions import do_add_comment, do_create_thread
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.testing.world import World

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def admin_client() -> tuple[Client, User]:
    admin = make_user(name="サイト 管理者", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client, admin


def entries() -> list[tuple[int, str, int | None, dict]]:
    with scopes_disabled():
        return [
            (e.network_id, e.action, e.target_id, e.detail)
            for e in AuditEntry.objects.order_by("network_id", "pk")
        ]


def test_an_account_page_in_the_admin_is_recorded_in_each_of_its_networks(world: World) -> None:
    client, admin = admin_client()
    both = make_member(world.net_b, world.alumni_a.user)

    assert client.get(f"/admin/accounts/user/{world.alumni_a.user_id}/change/").status_code == 200

    assert entries() == [
        (world.net_a.pk, "admin.view", world.alumni_a.pk, {"model": "accounts.user"}),
        (world.net_b.pk, "admin.view", both.pk, {"model": "accounts.user"}),
    ]
    with scopes_disabled():
        assert {e.actor_id for e in AuditEntry.objects.all()} == {admin.pk}
    # The member sees it among who viewed their data; the operators in their log.
    mine = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/me/access/", **EN)
    assert "<td>サイト 管理者</td>" in mine.content.decode()
    assert "A site administrator viewed a member&#x27;s data in the admin" in mine.content.decode()
    log = world.client(world.operator_b).get(f"/n/{world.net_b.slug}/manage/audit/", **EN)
    assert "<td>サイト 管理者</td>" in log.content.decode()


def test_the_list_of_accounts_is_recorded_once_per_network_with_how_many_it_showed(
    world: World,
) -> None:
    client, _admin = admin_client()

    assert client.get("/admin/accounts/user/").status_code == 200

    assert entries() == [
        (world.net_a.pk, "admin.list", None, {"count": 4, "model": "accounts.user"}),
        (world.net_b.pk, "admin.list", None, {"count": 3, "model": "accounts.user"}),
    ]
    # Searching shows fewer accounts: only their networks are told.
    client.get("/admin/accounts/user/", {"q": world.alumni_b.user.email})
    assert entries()[-1] == (
        world.net_b.pk,
        "admin.list",
        None,
        {"count": 1, "model": "accounts.user"},
    )
    assert len(entries()) == 3


def test_a_network_page_lists_its_members_and_is_recorded_there(world: World) -> None:
    client, _admin = admin_client()

    client.get("/admin/tenancy/network/")  # names of networks: nobody's data
    assert entries() == []
    client.get(f"/admin/tenancy/network/{world.net_b.pk}/change/")

    assert entries() == [
        (world.net_b.pk, "admin.list", None, {"count": 3, "model": "tenancy.network"})
    ]


def test_a_comment_page_names_its_author(world: World) -> None:
    with scope(network=world.net_a):
        thread = do_create_thread(
            world.employee_a,
            category=make_category(world.net_a),
            kind="discussion",
            title="相談",
            body="本文",
        )
        comment = do_add_comment(world.alumni_a, thread, body="返信です")
    client, _admin = admin_client()

    client.get(f"/admin/boards/comment/{comment.pk}/change/")

    assert entries() == [
        (world.net_a.pk, "admin.view", world.alumni_a.pk, {"model": "boards.comment"})
    ]
    log = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/audit/", **EN)
    assert "(comment)" in log.content.decode()


def test_saving_in_the_admin_or_a_page_that_fails_records_no_view(world: World) -> None:
    client, _admin = admin_client()
    assert client.get("/admin/accounts/user/999999/change/").status_code == 302  # missing
    response = client.post(
        f"/admin/accounts/user/{world.alumni_a.user_id}/change/", {"email": "not an address"}
    )
    assert response.status_code == 200  # the form with its errors
    assert entries() == []
