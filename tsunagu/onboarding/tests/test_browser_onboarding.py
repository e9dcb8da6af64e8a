"""In a real browser, in Japanese: the operator imports a Shift_JIS roster and invites a segment;
the invitee opens the link from the mail, signs up and lands in the network with a prefilled
profile; an applicant answers the questions and is approved."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.onboarding.models import Application
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Membership, Role, Status

from .files import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
INVITATION_LINK = re.compile(r"https?://[^\s/]+(/n/mitsuba/invitation/[\w-]+/)")


@pytest.fixture
def contexts(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    cache.clear()
    opened: list[BrowserContext] = []

    def open_page(user: User | None = None, viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(
            locale="ja-JP",
            base_url=live_server.url,
            viewport=viewport or {"width": 1200, "height": 900},  # type: ignore[arg-type]
        )
        context.set_default_timeout(15_000)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


def test_roster_import_invitation_sign_up_and_approval(
    contexts: Callable[..., Page], mailoutbox: list[EmailMessage], tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    network.join_questions = ["在籍していた部署と期間を教えてください"]
    network.eligibility = "三ツ葉商事を退職した方"
    network.save()
    operator = make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
    recent = (timezone.localdate().replace(day=1) - timezone.timedelta(days=90)).strftime(
        "%Y/%m/%d"
    )
    roster = csv_bytes(
        [
            ["田中 花子", "タナカ ハナコ", "hanako@example.jp", "営業部 第一課", "課長",
             "平成20年4月1日", recent],
            ["鈴木 一郎", "スズキ イチロウ", "ichiro@example.jp", "人事部", "", "2001/4/1",
             "平成25年3月31日"],
            ["高橋 健太", "タカハシ ケンタ", "kenta@@example", "経理部", "", "", ""],
        ],
        encoding="cp932",
    )  # fmt: skip
    roster_file = tmp_path / "退職者名簿.csv"
    roster_file.write_bytes(roster)

    # The operator uploads HR's Shift_JIS file and checks the columns in the preview.
    office = contexts(operator.user)
    office.goto("/n/mitsuba/manage/import/")
    office.set_input_files("input[type=file]", str(roster_file))
    office.get_by_role("button", name="アップロードして確認").click()
    expect(office.get_by_text("Shift_JISとして読み込みました")).to_be_visible()
    expect(office.locator("[data-preview]")).to_contain_text("田中 花子")
    expect(office.locator("[data-preview] time[datetime='2008-04-01']")).to_have_text(
        "2008年4月1日"
    )  # 平成20年4月1日
    expect(office.locator("[data-summary]")).to_contain_text("2人を取り込みます")
    expect(office.locator("[data-summary]")).to_contain_text("1行を除外します")
    office.screenshot(path=str(tmp_path / "1-mapping.png"), full_page=True)
    office.get_by_role("button", name="取り込み", exact=True).click()
    expect(office.locator("[data-result]")).to_have_text("2件追加、0件更新、0件変更なし、1件除外")
    expect(
        office.get_by_text("「kenta@@example」は有効なメールアドレスではありません")
    ).to_be_visible()

    # It invites those who left in the last 18 months: 田中 only.
    office.get_by_role("link", name="招待する").click()
    office.fill("input[name=left_within]", "18")
    office.get_by_role("button", name="絞り込む").click()
    expect(office.locator("table")).not_to_contain_text("鈴木 一郎")
    office.get_by_role("button", name="この対象の1人をメールで招待").click()
    expect(office.get_by_text("1件の招待を1分あたり60件ずつ送信しています")).to_be_visible()
    invitations = [m for m in mailoutbox if m.to == ["hanako@example.jp"]]
    assert len(invitations) == 1
    assert not [m for m in mailoutbox if m.to == ["ichiro@example.jp"]]
    link = INVITATION_LINK.search(str(invitations[0].body))
    assert link, invitations[0].body

    # 田中 opens the link from the mail, signs up and joins.
    hanako = contexts()
    hanako.goto(link[1])
    expect(hanako.get_by_role("heading", level=1)).to_have_text(
        "三ツ葉商事 アルムナイに招待されています"
    )
    hanako.get_by_role("link", name="登録して参加する").click()
    hanako.fill("input[name=name]", "田中 花子")
    hanako.fill("input[name=email]", "hanako@example.jp")
    hanako.fill("input[name=password1]", PASSWORD)
    hanako.fill("input[name=password2]", PASSWORD)
    hanako.locator("form.form button[type=submit]").click()
    hanako.get_by_role("button", name="ネットワークに参加する").click()
    hanako.wait_for_url(re.compile(r"/n/mitsuba/$"))
    expect(hanako.locator(".messages")).to_contain_text("三ツ葉商事 アルムナイへようこそ")
    hanako.goto("/n/mitsuba/profile/")
    expect(hanako.locator(".profile")).to_contain_text("営業部 第一課")
    expect(hanako.locator(".profile")).to_contain_text("課長")
    hanako.screenshot(path=str(tmp_path / "2-prefilled-profile.png"), full_page=True)
    with scopes_disabled():
        membership = Membership.objects.get(network=network, user__email="hanako@example.jp")
        assert membership.status == Status.ACTIVE and membership.role == Role.ALUMNI
        assert Profile.objects.get(membership=membership).name_kana == "タナカ ハナコ"

    # Someone outside the roster applies; the operator approves.
    applicant = make_user(email="apply@example.jp", name="山本 翔太")
    visitor = contexts(applicant)
    visitor.goto("/n/mitsuba/about/")
    visitor.get_by_role("link", name="参加を申請する").click()
    visitor.get_by_label("在籍していた部署と期間を教えてください").fill(
        "開発部に2012年から2020年まで"
    )
    visitor.get_by_label("上記の参加条件を満たしています。").check()
    visitor.get_by_role("button", name="申請を送信する").click()
    expect(visitor.locator(".messages")).to_contain_text("事務局が申請を確認し")

    office.goto("/n/mitsuba/manage/applications/")
    card = office.locator("[data-application]", has_text="山本 翔太")
    expect(card).to_contain_text("開発部に2012年から2020年まで")
    expect(card).to_contain_text("名簿に見つかりません")
    card.get_by_role("button", name="承認する", exact=True).click()
    expect(office.locator(".messages")).to_contain_text("山本 翔太さんがネットワークに参加しました")
    office.screenshot(path=str(tmp_path / "3-approved.png"), full_page=True)
    assert [m for m in mailoutbox if m.to == ["apply@example.jp"] and "承認されました" in m.body]
    visitor.goto("/n/mitsuba/")
    expect(visitor.locator(".brand__name")).to_have_text("三ツ葉商事 アルムナイ")

    # A one-use link for a LINE message: a QR code and a copy button.
    office.goto("/n/mitsuba/manage/links/")
    office.get_by_label("ラベル").fill("LINE 2015年入社")
    office.get_by_label("利用回数").fill("1")
    office.get_by_role("button", name="リンクを作成").click()
    card = office.locator("[data-link]", has_text="LINE 2015年入社")
    expect(card.locator("svg")).to_be_visible()
    expect(card.locator("input[data-copy-source]")).to_have_value(re.compile(r"/n/mitsuba/join/"))
    card.get_by_role("button", name="リンクをコピー").click()
    expect(card.get_by_role("button", name="コピーしました")).to_be_visible()
    office.screenshot(path=str(tmp_path / "4-link.png"), full_page=True)
    with scopes_disabled():
        assert Application.objects.get(user=applicant).status == "approved"
