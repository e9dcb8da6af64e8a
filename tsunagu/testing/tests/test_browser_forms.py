"""In a real browser: the site's own file control (core/widgets/file.html) in place of the
browser's "Choose File / No file chosen": reached by the keyboard, named by its field, showing
the chosen file's name, and uploading it; on a desktop and on a phone. The log-in page reached
on the way to a network wears its name, logo and colour, in Japanese and in English."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django_scopes import scopes_disabled
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def signed_in(
    browser: Browser, base_url: str, membership: Membership, viewport: dict[str, int]
) -> Page:
    context = browser.new_context(locale="ja-JP", base_url=base_url, viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(membership.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])
    return context.new_page()


def png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (47, 95, 208)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize(
    "viewport", [{"width": 1200, "height": 900}, PHONE], ids=["desktop", "phone"]
)
def test_a_member_chooses_a_photo_with_the_keyboard_sees_its_name_and_uploads_it(
    browser: Browser, live_server: Any, tmp_path: Path, viewport: dict[str, int]
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    hanako = make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))
    photo = png(tmp_path / "花子の写真.png")

    page = signed_in(browser, live_server.url, hanako, viewport)
    page.goto("/n/mitsuba/profile/edit/")
    control = page.locator(".file").filter(has=page.locator("input[name=photo]"))
    name = control.locator("[data-file-name]")
    file_input = control.locator("input[type=file]")
    # No browser text: the page's own button and "nothing chosen yet", in the page's language.
    expect(control.locator("label.file__button")).to_be_visible()
    expect(name).to_have_text(name.get_attribute("data-empty") or "")
    assert name.get_attribute("data-empty")
    # The real input is in the page, not hidden from the keyboard or from screen readers: named
    # by the field's label, reached with Tab from the field before it.
    expect(page.get_by_label("写真", exact=False).and_(file_input)).to_have_count(1)
    assert file_input.evaluate("i => getComputedStyle(i).display") != "none"
    page.locator("select[name=show_name_romaji]").focus()
    page.keyboard.press("Tab")
    expect(file_input).to_be_focused()
    page.screenshot(path=str(tmp_path / "1-empty.png"), full_page=True)

    file_input.set_input_files(str(photo))
    expect(name).to_have_text("花子の写真.png")
    control.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "2-chosen.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("プロフィールを保存しました。")).to_be_visible()
    with scopes_disabled():
        assert Profile.objects.get(membership=hanako).photo.name  # the upload reached the server
    # Back on the form: the current photo is shown above a control that has nothing chosen.
    page.goto("/n/mitsuba/profile/edit/")
    expect(page.locator(".file-current img.current-image")).to_be_visible()
    expect(name).to_have_text(name.get_attribute("data-empty") or "")
    page.screenshot(path=str(tmp_path / "3-current.png"), full_page=True)


@pytest.mark.parametrize(
    ("locale", "heading", "button"),
    [("ja-JP", "ログイン", "ログイン"), ("en-US", "Sign In", "Sign In")],
    ids=["ja", "en"],
)
def test_the_login_page_reached_from_a_network_shows_its_name_logo_and_colour(
    browser: Browser, live_server: Any, tmp_path: Path, locale: str, heading: str, button: str
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ", brand_color="#0b7a55")
    network.logo.save("logo.png", ContentFile(png(tmp_path / "logo.png").read_bytes()))
    context = browser.new_context(
        locale=locale,
        base_url=live_server.url,
        viewport=PHONE,  # type: ignore[arg-type]
    )
    context.set_default_timeout(15_000)

    # The test server publishes no media: the logo is answered from where it was stored.
    def media(route: Any) -> None:
        name = route.request.url.split(settings.MEDIA_URL, 1)[1]
        route.fulfill(path=str(Path(settings.MEDIA_ROOT) / name))

    context.route(f"**{settings.MEDIA_URL}**", media)
    page = context.new_page()
    page.goto("/n/mitsuba/events/")  # a network's page sends a visitor to log in first
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/n/mitsuba/events/$"))
    expect(page.locator("html")).to_have_attribute("lang", locale[:2])
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    brand = page.locator("[data-entry-brand]")
    expect(brand).to_contain_text("三ツ葉商事 アルムナイ")
    logo = brand.locator("img.entry-brand__logo")
    expect(logo).to_have_attribute("src", network.logo.url)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo.element_handle())
    # The network's colour paints the page's buttons, through its stylesheet (no inline style).
    colour = page.get_by_role("button", name=button, exact=True).evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert colour == "rgb(11, 122, 85)"
    page.screenshot(path=str(tmp_path / f"login-{locale}.png"), full_page=True)

    # Without a network on the way, the site's own brand.
    page.goto("/accounts/login/")
    expect(page.locator("[data-entry-brand]")).to_have_count(0)
    colour = page.get_by_role("button", name=button, exact=True).evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert colour == "rgb(47, 95, 208)"
    context.close()
