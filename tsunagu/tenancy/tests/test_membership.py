from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member
from tsunagu.core.testing.messages import REQUIRED
from tsunagu.tenancy.actions import do_change_role, do_change_status, do_create_network
from tsunagu.tenancy.models import Membership, Network, Role, Status
from tsunagu.testing.world import World


def reload(membership: Membership) -> Membership:
    with scopes_disabled():
        return Membership.objects.get(pk=membership.pk)


@pytest.mark.django_db
def test_member_sees_the_home_page_of_their_network(world: World) -> None:
    response = world.client(world.alumni_a).get("/n/mitsuba-a/")
    assert response.status_code == 200
    assert "三ツ葉商事 アルムナイ" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in_and_outsider_to_the_public_page(world: World) -> None:
    response = world.client(None).get("/n/mitsuba-a/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/n/mitsuba-a/")
    response = world.client(world.outsider).get("/n/mitsuba-a/")
    assert response.status_code == 302
    assert response["Location"] == "/n/mitsuba-a/about/"
    about = world.client(world.outsider).get("/n/mitsuba-a/about/")
    assert about.status_code == 200
    assert "三ツ葉商事を卒業した仲間" in about.content.decode()


@pytest.mark.django_db
def test_suspending_a_member_ends_their_access_on_the_next_request(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = world.client(world.alumni_a)
    assert client.get("/n/mitsuba-a/").status_code == 200
    operator = world.client(world.operator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            f"/n/mitsuba-a/manage/members/{world.alumni_a.pk}/",
            {"role": Role.ALUMNI, "status": Status.SUSPENDED},
        )
    assert response.status_code == 302
    assert reload(world.alumni_a).status == Status.SUSPENDED
    blocked = client.get("/n/mitsuba-a/")
    assert blocked.status_code == 403
    assert "一時停止" in blocked.content.decode() or "Suspended" in blocked.content.decode()
    assert client.get("/n/mitsuba-a/notifications/").status_code == 403


@pytest.mark.django_db
def test_only_operators_manage_members(world: World) -> None:
    for member in (world.alumni_a, world.supporter_a, world.employee_a):
        client = world.client(member)
        assert client.get("/n/mitsuba-a/manage/members/").status_code == 403
        response = client.post(
            f"/n/mitsuba-a/manage/members/{world.operator_a.pk}/",
            {"role": Role.ALUMNI, "status": Status.SUSPENDED},
        )
        assert response.status_code == 403
    assert reload(world.operator_a).role == Role.OPERATOR
    assert reload(world.operator_a).status == Status.ACTIVE


@pytest.mark.django_db
def test_the_last_operator_cannot_demote_or_suspend_themselves(world: World) -> None:
    client = world.client(world.operator_a)
    response = client.post(
        f"/n/mitsuba-a/manage/members/{world.operator_a.pk}/",
        {"role": Role.ALUMNI, "status": Status.ACTIVE},
        follow=True,
    )
    assert reload(world.operator_a).role == Role.OPERATOR
    assert "運営事務局" in response.content.decode() or "operator" in response.content.decode()
    with scope(network=world.net_a), pytest.raises(ValidationError):
        do_change_status(world.operator_a, world.operator_a, Status.SUSPENDED)


@pytest.mark.django_db
def test_role_change_notifies_the_member(world: World, django_capture_on_commit_callbacks) -> None:
    with scope(network=world.net_a), django_capture_on_commit_callbacks(execute=True):
        do_change_role(world.operator_a, world.alumni_a, Role.SUPPORTER)
    assert reload(world.alumni_a).role == Role.SUPPORTER
    page = world.client(world.alumni_a).get("/n/mitsuba-a/notifications/").content.decode()
    assert "サポーター" in page or "Supporter" in page
    assert [m.to for m in mail.outbox] == [[world.alumni_a.user.email]]


@pytest.mark.django_db
def test_operator_of_b_cannot_change_a_member_of_a(world: World) -> None:
    with scope(network=world.net_a), pytest.raises(Exception):  # noqa: B017 - 404 or denied
        do_change_status(world.operator_b, world.alumni_a, Status.SUSPENDED)
    assert reload(world.alumni_a).status == Status.ACTIVE


@pytest.mark.django_db
def test_operator_edits_the_network_settings(world: World) -> None:
    client = world.client(world.operator_a)
    response = client.post(
        "/n/mitsuba-a/manage/",
        {
            "name": "三ツ葉商事 公式アルムナイ",
            "tagline": "卒業しても仲間",
            "brand_color": "#aa3300",
            "description": "**ようこそ**",
            "eligibility": "元社員の方",
            "join_questions_text": "在籍期間は？\n\n部署は？",
        },
    )
    assert response.status_code == 302
    network = Network.objects.get(pk=world.net_a.pk)
    assert network.name == "三ツ葉商事 公式アルムナイ"
    assert network.join_questions == ["在籍期間は？", "部署は？"]
    home = client.get("/n/mitsuba-a/").content.decode()
    stylesheet = re.search(r'<link rel="stylesheet" href="(/brand\.css\?[^"]+)">', home)
    assert stylesheet, "the network's colour is not linked"
    assert "--brand: #aa3300" in client.get(unescape(stylesheet[1])).content.decode()
    assert "<strong>ようこそ</strong>" in home


@pytest.mark.django_db
def test_bad_network_settings_show_field_errors_in_japanese(world: World) -> None:
    client = world.client(world.operator_a)
    response = client.post(
        "/n/mitsuba-a/manage/",
        {"name": "", "brand_color": "red", "description": "x" * 20001},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert REQUIRED in page
    assert Network.objects.get(pk=world.net_a.pk).name == "三ツ葉商事 アルムナイ"
    assert page.count('class="errorlist"') >= 3


@pytest.mark.django_db
def test_description_markdown_cannot_run_scripts(world: World) -> None:
    world.net_a.description = (
        "<script>alert(1)</script>\n\n"
        '[click](javascript:alert(1)) <img src=x onerror="alert(2)"> **太字**'
    )
    world.net_a.save()
    page = world.client(world.outsider).get("/n/mitsuba-a/about/").content.decode()
    assert "<strong>太字</strong>" in page  # the description is rendered at all
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert "<img src=x" not in page  # shown as text, never as an element


@pytest.mark.django_db
def test_network_address_must_be_unique_and_well_formed() -> None:
    do_create_network(name="一つ目", slug="alumni-one")
    with pytest.raises(ValidationError) as taken:
        do_create_network(name="二つ目", slug="alumni-one")
    assert "slug" in taken.value.message_dict
    for bad in ("ab", "-start", "UPPER", "日本語", "has space", "admin", "accounts"):
        with pytest.raises(ValidationError):
            do_create_network(name="x", slug=bad)


@pytest.mark.django_db
def test_one_account_belongs_to_several_networks(world: World) -> None:
    make_member(world.net_b, world.alumni_a.user)
    client = world.client(world.alumni_a)
    chooser = client.get("/").content.decode()
    assert "三ツ葉商事 アルムナイ" in chooser
    assert "ひだまり OB・OG会" in chooser
    assert client.get("/n/hidamari-b/").status_code == 200


@pytest.mark.django_db
def test_home_page_figures_and_menus_follow_membership_changes_at_once(world: World) -> None:
    client = world.client(world.alumni_a)
    page = client.get("/n/mitsuba-a/").content.decode()
    assert "新入 会員" not in page
    assert "ひだまり OB・OG会" not in page  # the network menu lists only her networks
    newcomer = make_member(world.net_a, name="新入 会員")
    make_member(world.net_b, world.alumni_a.user)
    page = client.get("/n/mitsuba-a/").content.decode()
    assert "新入 会員" in page
    assert "ひだまり OB・OG会" in page
    with scopes_disabled():
        Membership.objects.filter(pk=newcomer.pk).delete()
    assert "新入 会員" not in client.get("/n/mitsuba-a/").content.decode()


@pytest.mark.django_db
def test_a_deactivated_network_disappears_at_once(world: World) -> None:
    client = world.client(world.alumni_a)
    assert client.get("/n/mitsuba-a/").status_code == 200
    world.net_a.is_active = False
    world.net_a.save()
    assert client.get("/n/mitsuba-a/").status_code == 404


@pytest.mark.django_db
def test_a_renamed_member_shows_their_new_name_at_once(world: World) -> None:
    viewer = world.client(world.operator_a)
    assert "田中 花子" in viewer.get("/n/mitsuba-a/").content.decode()
    world.client(world.alumni_a).post(
        "/accounts/settings/", {"name": "佐藤 花子", "language": "ja"}
    )
    page = viewer.get("/n/mitsuba-a/").content.decode()
    assert "佐藤 花子" in page
    assert "田中 花子" not in page
