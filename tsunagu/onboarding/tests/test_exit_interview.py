"""The exit interview (退職面談): HR makes a QR code for one leaver; the leaver registers a
private address on their phone and agrees to the purpose of use; the invitation reaches that
address on the leaving date. Single use, 30 days, rate-limited, friendly when it cannot work."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from tsunagu.onboarding.donotinvite import do_block
from tsunagu.onboarding.models import DoNotInvite, ExitCode, Invitation, InvitationStatus
from tsunagu.onboarding.tasks import send_scheduled_invitations
from tsunagu.testing.world import World

from .test_browser_onboarding import contexts  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.django_db


def make_code(world: World, *, days: int = 14, name: str = "山田 太郎") -> tuple[str, str]:
    """The operator's page and the leaver's address of a new code."""
    left_on = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/manage/exit/", {"name": name, "left_on": left_on}
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    page = world.client(world.operator_a).get(response["Location"]).content.decode()
    url = re.search(r'id="exit-url" type="text" readonly value="([^"]+)"', page)
    assert url, page
    return response["Location"], url[1]


def register(url: str, email: str, *, consent: bool = True, **extra: str) -> object:
    path = url.split("://", 1)[1].split("/", 1)[1]
    data = {"email": email, "name": "山田 太郎", **extra}
    if consent:
        data["consent"] = "on"
    return Client().post("/" + path, data)


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    cache.clear()


def test_the_leaver_registers_and_is_invited_on_the_leaving_date(world: World) -> None:
    code_page, url = make_code(world, days=14)
    assert url.startswith("http") and "/exit/" in url
    assert "<svg" in world.client(world.operator_a).get(code_page).content.decode()

    page = Client().get("/" + url.split("/", 3)[3]).content.decode()
    assert "利用目的" in page and world.net_a.name in page and 'value="山田 太郎"' in page

    done = register(url, "ｙａｍａｄａ．ｐｒｉｖａｔｅ＠ｇｍａｉｌ．ｃｏｍ")
    assert done.status_code == 200 and "data-done" in done.content.decode()

    with scopes_disabled():
        invitation = Invitation.objects.get(network=world.net_a)
        code = ExitCode.objects.get()
    assert invitation.email == "yamada.private@gmail.com"
    assert invitation.status == InvitationStatus.SCHEDULED and invitation.consented_at
    assert invitation.send_on == timezone.localdate() + timedelta(days=14)
    assert code.used_at is not None and code.invitation_id == invitation.pk
    assert "data-registered" in world.client(world.operator_a).get(code_page).content.decode()

    assert send_scheduled_invitations() == 0
    with time_machine.travel(timezone.now() + timedelta(days=14, hours=2)):
        assert send_scheduled_invitations() == 1
    assert [m.to for m in mail.outbox] == [["yamada.private@gmail.com"]]


def test_a_code_works_once_and_for_thirty_days(world: World) -> None:
    _page, url = make_code(world)
    assert register(url, "first@example.com").status_code == 200
    again = register(url, "second@example.com")
    assert again.status_code == 410
    assert "すでに使われています" in again.content.decode()

    _page, late = make_code(world)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = register(late, "late@example.com")
    assert expired.status_code == 410 and "有効期限" in expired.content.decode()
    unknown = Client().get(f"/n/{world.net_a.slug}/exit/no-such-code/")
    assert unknown.status_code == 410 and "無効" in unknown.content.decode()
    with scopes_disabled():
        assert list(Invitation.objects.values_list("email", flat=True)) == ["first@example.com"]


def test_without_consent_nothing_is_kept(world: World) -> None:
    _page, url = make_code(world)
    response = register(url, "noconsent@example.com", consent=False)
    assert response.status_code == 400 and "field--error" in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.exists()
        assert ExitCode.objects.get().used_at is None


def test_a_company_address_is_warned_about_then_kept_if_sent_again(world: World) -> None:
    domain = world.operator_a.user.email.rsplit("@", 1)[1]
    _page, url = make_code(world)
    first = register(url, f"yamada@{domain}")
    assert first.status_code == 400 and "会社のメールアドレスのようです" in first.content.decode()
    assert 'name="keep_domain" value="1"' in first.content.decode()
    again = register(url, f"yamada@{domain}", keep_domain="1")
    assert again.status_code == 200
    with scopes_disabled():
        assert Invitation.objects.get().email == f"yamada@{domain}"


def test_guessing_codes_is_slowed_down(world: World) -> None:
    _page, url = make_code(world)
    answers = [register(url, "not an address").status_code for _ in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429


def test_an_address_on_the_do_not_invite_list_is_thanked_and_not_invited(world: World) -> None:
    with scopes_disabled():
        do_block(world.net_a.pk, ["stop@example.com"], DoNotInvite.Source.PERSON)
    _page, url = make_code(world)
    response = register(url, "stop@example.com")
    assert response.status_code == 200 and "data-done" in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_bad_leaving_dates_get_field_errors(world: World) -> None:
    client = world.client(world.operator_a)
    for value in ("", "来月", "2001-01-01"):
        response = client.post(f"/n/{world.net_a.slug}/manage/exit/", {"left_on": value})
        assert response.status_code == 400 and "field--error" in response.content.decode()
    # An era date is a date.
    era = client.post(f"/n/{world.net_a.slug}/manage/exit/", {"left_on": "令和8年12月31日"})
    assert era.status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_exit_interview_on_a_phone(contexts: Callable[..., Page], world: World) -> None:  # noqa: F811
    office = contexts(world.operator_a.user)
    office.goto(f"/n/{world.net_a.slug}/manage/exit/")
    office.get_by_label("退職される方のお名前").fill("山田 太郎")
    office.get_by_label("退職日").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    office.get_by_role("button", name="QRコードを作る").click()
    expect(office.locator(".qr--large svg")).to_be_visible()
    url = office.locator("#exit-url").input_value()

    phone = contexts(viewport={"width": 390, "height": 844})
    phone.goto("/" + url.split("/", 3)[3])
    expect(phone.get_by_role("heading", name="利用目的")).to_be_visible()
    phone.get_by_label("個人のメールアドレス").fill("yamada.taro@example.com")
    phone.get_by_label("上記の利用目的を読み、同意します。").check()
    phone.get_by_role("button", name="登録する").click()
    expect(phone.locator("[data-done]")).to_contain_text("招待をお送りします")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    office.reload()
    expect(office.locator("[data-registered]")).to_be_visible()
