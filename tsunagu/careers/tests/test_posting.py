"""Posting opportunities: who posts, approval, fields, audience, bad input, the list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext, override
from django_scopes import scopes_disabled

from tsunagu.careers.actions import do_save_settings
from tsunagu.careers.models import CareersSettings, Opportunity, OpportunityFile, State
from tsunagu.core.tests.test_images import image_bytes
from tsunagu.testing.world import World

from .helpers import make_opportunity, notified, reload, url

pytestmark = pytest.mark.django_db


def form_data(**fields: Any) -> dict[str, Any]:
    data = {
        "kind": "comeback",
        "title": "カムバック採用：経理マネージャー",
        "employment_form": "full_time",
        "description": "## 仕事内容\n\n月次決算のとりまとめ。",
        "location": "東京都千代田区",
        "remote": "hybrid",
        "compensation": "年収700万円〜",
        "starts": "2027年4月",
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "contact_person": "人事部 山田",
        "external_url": "https://example.jp/jobs/1",
        "audience": "all",
    }
    return data | fields


def only() -> Opportunity:
    with scopes_disabled():
        return Opportunity.objects.get()


def ja(msgid: str) -> str:
    with override("ja"):
        return gettext(msgid)


def test_an_employee_posts_a_comeback_opening_that_alumni_see_at_once(world: World) -> None:
    response = world.client(world.employee_a).post(url(world, "new/"), form_data())
    assert response.status_code == 302
    opportunity = only()
    assert opportunity.state == State.PUBLISHED
    listed = world.client(world.alumni_a).get(url(world)).content.decode()
    assert "カムバック採用：経理マネージャー" in listed
    page = world.client(world.alumni_a).get(url(world, f"{opportunity.pk}/")).content.decode()
    assert "<h2>仕事内容</h2>" in page
    assert "年収700万円〜" in page
    assert "人事部 山田" in page


def test_an_alumnas_side_job_waits_for_an_operator_then_is_published(world: World) -> None:
    alumni = world.client(world.alumni_a)
    response = alumni.post(
        url(world, "new/"), form_data(kind="side_job", title="LP制作の副業を手伝ってください")
    )
    assert response.status_code == 302
    opportunity = only()
    assert opportunity.state == State.PENDING
    assert world.operator_a.user_id in notified("careers_pending")
    # Nobody but the poster and the operators sees it while it waits.
    assert world.client(world.employee_a).get(url(world, f"{opportunity.pk}/")).status_code == 404
    assert "LP制作" not in world.client(world.employee_a).get(url(world)).content.decode()
    assert alumni.get(url(world, f"{opportunity.pk}/")).status_code == 200
    operator = world.client(world.operator_a)
    assert "LP制作" in operator.get(url(world, "manage/")).content.decode()
    operator.post(url(world, f"{opportunity.pk}/review/"), {"decision": "approve"})
    assert reload(opportunity).state == State.PUBLISHED
    assert world.alumni_a.user_id in notified("careers_approved")
    assert world.client(world.employee_a).get(url(world, f"{opportunity.pk}/")).status_code == 200


def test_a_network_can_publish_members_opportunities_without_approval(world: World) -> None:
    with scopes_disabled():
        CareersSettings.objects.create(network=world.net_a, member_posts_need_approval=False)
    world.client(world.alumni_a).post(url(world, "new/"), form_data(kind="outsourcing"))
    assert only().state == State.PUBLISHED


def test_a_network_that_keeps_posting_to_the_company_refuses_members(world: World) -> None:
    with scopes_disabled():
        CareersSettings.objects.create(network=world.net_a, members_may_post=False)
    alumni = world.client(world.alumni_a)
    assert alumni.get(url(world, "new/")).status_code == 403
    assert alumni.post(url(world, "new/"), form_data(kind="side_job")).status_code == 403
    assert world.client(world.employee_a).get(url(world, "new/")).status_code == 200
    with scopes_disabled():
        assert not Opportunity.objects.exists()


def test_comeback_hiring_is_the_companys_own(world: World) -> None:
    response = world.client(world.alumni_a).post(url(world, "new/"), form_data(kind="comeback"))
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    with scopes_disabled():
        assert not Opportunity.objects.exists()


def test_a_deadline_in_the_past_is_refused_with_a_field_error(world: World) -> None:
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = world.client(world.employee_a).post(
        url(world, "new/"), form_data(deadline=yesterday)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["deadline"]
    assert errors == [ja("The deadline cannot be in the past.")]
    with scopes_disabled():
        assert not Opportunity.objects.exists()


def test_compensation_over_200_characters_is_refused(world: World) -> None:
    response = world.client(world.employee_a).post(
        url(world, "new/"), form_data(compensation="年収" * 101)
    )
    assert response.status_code == 400
    assert "compensation" in response.context["form"].errors
    assert "200" in response.content.decode()  # the limit is named in the message
    ok = world.client(world.employee_a).post(url(world, "new/"), form_data(compensation="年" * 200))
    assert ok.status_code == 302


def test_markdown_with_scripts_is_shown_without_them(world: World) -> None:
    body = (
        "<script>alert('x')</script>\n\n[クリック](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(2)">\n\n**太字**'
    )
    world.client(world.employee_a).post(url(world, "new/"), form_data(description=body))
    opportunity = only()
    page = world.client(world.alumni_a).get(url(world, f"{opportunity.pk}/")).content.decode()
    assert "<strong>太字</strong>" in page
    assert "<script>alert" not in page
    assert 'href="javascript' not in page
    assert "<img src=x" not in page  # shown as text, never as an element


def test_an_alumni_only_opening_is_hidden_from_employees(world: World) -> None:
    opportunity = make_opportunity(world.operator_a, audience="alumni", title="OB・OG限定の案件")
    employee = world.client(world.employee_a)
    assert "OB・OG限定" not in employee.get(url(world)).content.decode()
    assert employee.get(url(world, f"{opportunity.pk}/")).status_code == 404
    assert "OB・OG限定" in world.client(world.alumni_a).get(url(world)).content.decode()
    assert world.client(world.supporter_a).get(url(world, f"{opportunity.pk}/")).status_code == 200


def test_the_list_filters_by_kind_and_remote_and_finds_japanese_keywords(world: World) -> None:
    make_opportunity(world.employee_a, kind="side_job", title="週末のデータ分析", remote="remote")
    make_opportunity(world.employee_a, kind="career", title="物流DX推進リーダー", remote="onsite")
    make_opportunity(world.employee_a, kind="comeback", title="カムバック：法務", remote="hybrid")
    client = world.client(world.alumni_a)

    def titles(query: str) -> str:
        return client.get(url(world) + query).content.decode()

    page = titles("?kind=side_job")
    assert "週末のデータ分析" in page and "物流DX" not in page
    page = titles("?remote=onsite")
    assert "物流DX推進リーダー" in page and "週末" not in page
    # Full-width "ＤＸ" finds "DX"; katakana and hiragana are one word to the search.
    page = titles("?q=%EF%BC%A4%EF%BC%B8")
    assert "物流DX推進リーダー" in page and "週末" not in page
    page = titles("?q=" + "かむばっく")
    assert "カムバック：法務" in page and "物流" not in page
    page = titles("?q=存在しない言葉")
    assert "週末" not in page and "物流" not in page


def test_an_attachment_is_private_to_those_who_may_read_the_opportunity(world: World) -> None:
    data = form_data(attachment=SimpleUploadedFile("募集要項.png", image_bytes()))
    world.client(world.employee_a).post(url(world, "new/"), data)
    with scopes_disabled():
        found = OpportunityFile.objects.get()
    page = world.client(world.alumni_a).get(url(world, f"{found.opportunity_id}/"))
    assert "募集要項.png" in page.content.decode()
    response = world.client(world.alumni_a).get(url(world, f"files/{found.pk}/"))
    assert response.status_code == 200
    assert world.client(world.alumni_b).get(url(world, f"files/{found.pk}/")).status_code in (
        302,
        403,
        404,
    )
    b_url = url(world, f"files/{found.pk}/", network=world.net_b)
    assert world.client(world.alumni_b).get(b_url).status_code == 404


def test_the_poster_edits_and_closes_and_others_cannot(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    assert (
        world.client(world.alumni_a).get(url(world, f"{opportunity.pk}/edit/")).status_code == 403
    )
    poster = world.client(world.employee_a)
    response = poster.post(url(world, f"{opportunity.pk}/edit/"), form_data(title="改題しました"))
    assert response.status_code == 302
    assert reload(opportunity).title == "改題しました"
    poster.post(url(world, f"{opportunity.pk}/close/"))
    assert reload(opportunity).closed_at is not None
    assert "改題しました" not in world.client(world.alumni_a).get(url(world)).content.decode()


def test_members_lose_the_right_to_post_at_the_next_request_after_the_setting_changes(
    world: World,
) -> None:
    alumni = world.client(world.alumni_a)
    assert alumni.get(url(world, "new/")).status_code == 200  # the network's answer is kept now
    with scopes_disabled():
        do_save_settings(world.operator_a, members_may_post=False, need_approval=True)
    assert alumni.get(url(world, "new/")).status_code == 403
    with scopes_disabled():
        do_save_settings(world.operator_a, members_may_post=True, need_approval=True)
    assert alumni.get(url(world, "new/")).status_code == 200
