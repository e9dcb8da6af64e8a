"""In two browsers, in Japanese: someone opens the LINE link on a laptop and signs up there,
confirms the address from the mail app of their phone, logs in on the phone, and lands on the
network's join step instead of 「まだどのネットワークにも参加していません」."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.mail import EmailMessage
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from tsunagu.core.testing.factories import make_network
from tsunagu.onboarding.models import InviteLink
from tsunagu.tenancy.models import Membership

from .test_browser_onboarding import contexts  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "kanari-nagai-pass-2026"  # noqa: S105
CONFIRM = re.compile(r"https?://[^\s/]+(/accounts/confirm-email/[^\s]+/)")


def test_a_link_opened_on_a_laptop_is_joined_from_the_phone(
    contexts: Callable[..., Page],  # noqa: F811
    mailoutbox: list[EmailMessage],
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    with scopes_disabled():
        link = InviteLink.objects.create(network=network, label="LINE 2015年入社")

    laptop = contexts()
    laptop.goto(f"/n/mitsuba/join/{link.token}/")
    laptop.get_by_role("link", name="登録して参加する").click()
    expect(laptop.locator("[data-joining]")).to_contain_text("三ツ葉商事 アルムナイ")
    laptop.fill("input[name=name]", "中村 結衣")
    laptop.fill("input[name=email]", "yui@example.jp")
    laptop.fill("input[name=password1]", PASSWORD)
    laptop.fill("input[name=password2]", PASSWORD)
    laptop.locator("form.form button[type=submit]").click()
    laptop.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    confirmation = CONFIRM.search(str(mailoutbox[-1].body))
    assert confirmation, mailoutbox[-1].body
    phone = contexts(viewport={"width": 390, "height": 844})
    phone.goto(confirmation[1])
    phone.get_by_role("button", name="確認する").click()
    phone.wait_for_url(re.compile(r"/accounts/login/"))
    phone.fill("input[name=login]", "yui@example.jp")
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("form.form button[type=submit]").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "三ツ葉商事 アルムナイに招待されています"
    )
    phone.get_by_role("button", name="ネットワークに参加する").click()
    phone.wait_for_url(re.compile(r"/n/mitsuba/$"))
    expect(phone.locator(".messages")).to_contain_text("三ツ葉商事 アルムナイへようこそ")
    with scopes_disabled():
        assert Membership.objects.filter(network=network, user__email="yui@example.jp").exists()
