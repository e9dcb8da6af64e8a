"""Two operators link their networks in real browsers, in Japanese, at phone size: the operator
of 三ツ葉 asks from the management pages, the operator of ひだまり sees the request and accepts
it, and each then sees the other's network as linked. Then 三ツ葉 co-hosts an event with
ひだまり: a member of ひだまり finds it in her own event list and applies, and each operator
sees their own members in full and the other's only as they chose to share. Last, 三ツ葉's
operator opens a room shared with ひだまり, the member joins it and writes there by keyboard, and
the operator reads the message under the member's name. axe-core checks every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tsunagu.collab.cohosting import do_guest_register
from tsunagu.collab.models import CoHost, Link
from tsunagu.collab.tests.helpers import opt_in
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.events.actions import do_register
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contexts(browser: Browser, live_server: Any) -> Iterator[list[BrowserContext]]:
    cache.clear()
    made = []
    for _ in range(3):
        context = browser.new_context(
            locale="ja-JP", base_url=live_server.url, viewport={"width": 390, "height": 844}
        )
        context.set_default_timeout(15_000)
        made.append(context)
    yield made
    for context in made:
        context.close()


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_two_operators_link_their_networks_and_co_host_an_event(
    contexts: list[BrowserContext],
) -> None:
    mitsuba = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    hidamari = make_network(slug="hidamari", name="ひだまり OB・OG会")
    make_member(
        mitsuba, make_user(email="office@mitsuba.example.jp", name="佐藤 美咲"), role=Role.OPERATOR
    )
    make_member(
        hidamari,
        make_user(email="office@hidamari.example.jp", name="伊藤 大輔"),
        role=Role.OPERATOR,
    )

    asker = contexts[0].new_page()
    log_in(asker, "office@mitsuba.example.jp")
    asker.goto("/n/mitsuba/manage/console/")
    asker.locator("nav.subnav a[href='/n/mitsuba/links/']").click()
    asker.fill("#id_slug", "hidamari")
    # The scopes with the keyboard: focus the first box, then Tab and Space.
    asker.locator("input[name=scopes][value=events]").check()
    asker.locator("input[name=scopes][value=rooms]").check()
    asker.locator("input[name=scopes][value=directory]").focus()
    asker.keyboard.press("Space")
    expect(asker.locator("input[name=scopes][value=directory]")).to_be_checked()
    asker.fill("#id_message", "合同で交流会を開きませんか。名簿も相互に公開できればと思います。")
    asker.locator("[data-request-form] button[type=submit]").click()
    expect(asker.locator(".message--success")).to_be_visible()
    row = asker.locator("[data-link]").first
    expect(row).to_have_attribute("data-state", "requested")
    expect(row.locator("h3")).to_contain_text("hidamari")  # the address typed, not yet a name

    answerer = contexts[1].new_page()
    log_in(answerer, "office@hidamari.example.jp")
    answerer.goto("/n/hidamari/notifications/")
    expect(answerer.locator("main")).to_contain_text("三ツ葉商事 アルムナイ")
    answerer.goto("/n/hidamari/links/")
    request = answerer.locator("[data-link]").first
    expect(request.locator("h3")).to_contain_text("三ツ葉商事 アルムナイ")
    expect(request).to_contain_text("合同で交流会を開きませんか。")
    request.locator("button[name=decision][value=accept]").click()
    expect(answerer.locator("[data-link]").first).to_have_attribute("data-state", "active")

    asker.reload()
    linked = asker.locator("[data-link]").first
    expect(linked).to_have_attribute("data-state", "active")
    expect(linked.locator("h3")).to_contain_text("ひだまり OB・OG会")

    # 三ツ葉 co-hosts an event with ひだまり; two members of each, one of each sharing.
    event = make_event(mitsuba, title="合同キャリア交流会", capacity=20)
    tanaka = make_member(mitsuba, make_user(name="田中 花子"))
    suzuki = make_member(mitsuba, make_user(name="鈴木 一郎"))
    yamamoto = make_member(
        hidamari, make_user(email="yamamoto@hidamari.example.jp", name="山本 翔太")
    )
    watanabe = make_member(hidamari, make_user(name="渡辺 さくら"))
    with scopes_disabled():
        link = Link.objects.get()
    opt_in(tanaka, link)
    opt_in(yamamoto, link)
    asker.goto(f"/n/mitsuba/events/{event.pk}/")
    asker.locator(f"a[href='/n/mitsuba/links/events/{event.pk}/hosts/']").click()
    asker.locator("[data-invite-form] button[type=submit]").click()
    expect(asker.locator("[data-cohost]")).to_have_attribute("data-state", "invited")

    answerer.goto("/n/hidamari/links/events/")
    answerer.locator(f"[data-invitation='{event.pk}'] button[value=accept]").click()
    expect(answerer.locator(f"[data-cohosted='{event.pk}']")).to_be_visible()

    member = contexts[2].new_page()
    log_in(member, "yamamoto@hidamari.example.jp")
    member.goto("/n/hidamari/events/")
    member.locator("[data-cohosted-events] a", has_text="合同キャリア交流会").click()
    member.locator("#apply button[type=submit]").click()
    expect(member.locator(".message--success").first).to_be_visible()
    expect(member.locator("[data-places]")).to_contain_text("19")
    with scopes_disabled():
        row = CoHost.objects.select_related("event").get()
    with scope(network=hidamari):
        do_guest_register(watanabe, row)
    with scope(network=mitsuba):
        do_register(tanaka, event)
        do_register(suzuki, event)

    asker.goto(f"/n/mitsuba/links/events/{event.pk}/attendees/")
    mine = asker.locator("[data-attendee][data-own]")
    expect(mine).to_have_count(2)
    shown = asker.locator("[data-attendees]")
    expect(shown).to_contain_text("山本 翔太")
    expect(shown).not_to_contain_text("渡辺 さくら")
    expect(asker.locator("tr[data-network='ひだまり OB・OG会'] [data-unnamed]")).to_have_text("1")

    answerer.goto(f"/n/hidamari/links/events/{event.pk}/attendees/")
    expect(answerer.locator("[data-attendee][data-own]")).to_have_count(2)
    expect(answerer.locator("[data-attendees]")).to_contain_text("田中 花子")
    expect(answerer.locator("[data-attendees]")).not_to_contain_text("鈴木 一郎")

    # 三ツ葉's operator opens a room shared with ひだまり; 山本 joins it and writes there by
    # keyboard; the operator reads it with his name and network (axe checks each page).
    asker.goto("/n/mitsuba/links/rooms/")
    asker.fill("[data-shared-room-form] input[name=name]", "合同キャリア交流会の打ち合わせ")
    asker.locator("[data-shared-room-form] button[type=submit]").click()
    expect(asker.locator("[data-shared-room-page]")).to_contain_text(
        "合同キャリア交流会の打ち合わせ"
    )

    member.goto("/n/hidamari/links/rooms/")
    member.locator("[data-shared-room] form[action$='/join/'] button").first.click()
    member.locator("[data-shared-room-page] textarea[name=body]").focus()
    member.keyboard.type("当日の受付を手伝えます。")
    member.keyboard.press("Tab")
    member.keyboard.press("Enter")
    expect(member.locator("[data-shared-messages]")).to_contain_text("当日の受付を手伝えます。")

    asker.reload()
    messages = asker.locator("[data-shared-messages]")
    expect(messages).to_contain_text("当日の受付を手伝えます。")
    expect(messages).to_contain_text("山本 翔太")
