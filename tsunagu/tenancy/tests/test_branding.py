"""The sign-up, log-in and e-mail verification pages reached on the way to a network carry its
public brand (name, logo, colour), read only from ``next``; anything doubtful gives the site's
own brand, never an error and never more of the network."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from tsunagu.core.testing.factories import make_network
from tsunagu.tenancy.branding import entry_brand_for, network_path_slug

pytestmark = pytest.mark.django_db

BRAND_CSS = re.compile(r'<link rel="stylesheet" href="[^"]*brand\.css\?color=([^"]+)">')
PASSWORD = "さくら-満開-2026-春"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the network by slug and allauth's rate limits are kept there


def png() -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (31, 95, 168)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="logo.png")


@pytest.fixture
def mitsuba():  # type: ignore[no-untyped-def]
    network = make_network(
        slug="mitsuba",
        name="三ツ葉商事 アルムナイ",
        brand_color="#0b7a55",
        tagline="社外秘の合言葉 さくら",
        description="非公開の説明 もみじ",
    )
    network.logo.save("logo.png", png())
    return network


def test_a_path_of_an_active_network_gives_its_name_logo_and_colour(mitsuba) -> None:  # type: ignore[no-untyped-def]
    for target in ("/n/mitsuba/", "/n/mitsuba", "/n/mitsuba/events/12/?tab=1#x",
                   "/n/mitsuba/join/abc123/", "/n/mitsuba/invitation/tok-en/"):  # fmt: skip
        brand = entry_brand_for(target)
        assert brand is not None, target
        assert (brand.slug, brand.name, brand.color) == (
            "mitsuba",
            "三ツ葉商事 アルムナイ",
            "#0b7a55",
        )
        assert brand.logo_url == mitsuba.logo.url
    # Only what anyone may see: no tagline, no description, no model to reach them through.
    assert set(vars(entry_brand_for("/n/mitsuba/"))) == {"slug", "name", "color", "logo_url"}


def test_an_unknown_or_inactive_network_gives_no_brand() -> None:
    make_network(slug="closed", name="閉鎖した会", is_active=False)
    assert entry_brand_for("/n/nowhere/") is None
    assert entry_brand_for("/n/closed/") is None
    assert entry_brand_for("") is None
    assert entry_brand_for("/accounts/settings/") is None


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com/n/mitsuba/",
        "https://evil.com/n/mitsuba/",
        "http:/n/mitsuba/",
        "/\\evil.com/n/mitsuba/",
        "\\\\evil.com/n/mitsuba/",
        "/n/other/../mitsuba/",
        "/n/mitsuba/../other/",
        "/n/mitsuba/./",
        "/n/mitsuba/%2e%2e/other/",
        "/n/mitsuba%2F..%2Fother/",
        "/n/mitsuba/%2F%2Fevil.com",
        " /n/mitsuba/",
        "/n/mitsuba/\n",
        "/n/mitsuba/\t/",
        "/n/MITSUBA/",
        "n/mitsuba/",
        "/n/mitsuba/" + "a" * 2000,
    ],
)
def test_a_hostile_or_doubtful_next_gives_no_brand(mitsuba, target: str) -> None:  # type: ignore[no-untyped-def]
    assert network_path_slug(target) is None
    assert entry_brand_for(target) is None


def test_the_login_page_from_a_network_carries_its_brand_and_nothing_private(mitsuba) -> None:  # type: ignore[no-untyped-def]
    page = Client().get("/accounts/login/", {"next": "/n/mitsuba/events/"})
    html = page.content.decode()
    assert page.status_code == 200
    assert BRAND_CSS.findall(html) == ["%230b7a55"]  # the colour goes through the network's sheet
    assert 'data-entry-brand="mitsuba"' in html
    assert "三ツ葉商事 アルムナイ" in html
    assert f'src="{mitsuba.logo.url}"' in html
    assert "さくら" not in html and "もみじ" not in html
    assert "<style" not in html and "style=" not in html  # no inline style (CSP)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"next": "/n/nowhere/"},
        {"next": "/n/closed/"},
        {"next": "//evil.com/n/mitsuba/"},
        {"next": "/n/nowhere/../mitsuba/"},
        {"next": "https://evil.com/"},
    ],  # fmt: skip
)
def test_the_login_page_otherwise_shows_the_site_brand_without_an_error(mitsuba, query) -> None:  # type: ignore[no-untyped-def]
    make_network(slug="closed", name="閉鎖した会", is_active=False)
    page = Client().get("/accounts/login/", query)
    html = page.content.decode()
    assert page.status_code == 200
    assert BRAND_CSS.findall(html) == []
    assert "data-entry-brand" not in html
    assert "三ツ葉商事" not in html and "閉鎖した会" not in html


def test_the_sign_up_page_from_an_invitation_link_carries_its_brand(mitsuba) -> None:  # type: ignore[no-untyped-def]
    page = Client().get("/accounts/signup/", {"next": "/n/mitsuba/join/abcdef/"})
    html = page.content.decode()
    assert BRAND_CSS.findall(html) == ["%230b7a55"]
    assert 'data-entry-brand="mitsuba"' in html


@pytest.mark.django_db(transaction=True)
def test_the_mail_sent_page_after_signing_up_on_the_way_keeps_the_brand(mitsuba) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "name": "山田 花子",
            "email": "hanako@example.jp",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/n/mitsuba/",
        },  # fmt: skip
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/?next=%2Fn%2Fmitsuba%2F"
    assert len(mail.outbox) == 1
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "確認のメールを送信しました" in html
    assert BRAND_CSS.findall(html) == ["%230b7a55"]
    assert 'data-entry-brand="mitsuba"' in html
    # The link in the mail opens the confirmation page with the same brand.
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert link and link[1].endswith("/?next=%2Fn%2Fmitsuba%2F")
    confirm = Client().get(link[1]).content.decode()
    assert BRAND_CSS.findall(confirm) == ["%230b7a55"]
    assert 'data-entry-brand="mitsuba"' in confirm


@pytest.mark.django_db(transaction=True)
def test_signing_up_with_a_hostile_next_leads_to_the_plain_mail_sent_page(mitsuba) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(
        "/accounts/signup/",
        {
            "name": "山田 花子",
            "email": "hanako@example.jp",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "//evil.com/n/mitsuba/",
        },  # fmt: skip
    )
    assert response["Location"] == "/accounts/confirm-email/"
    assert "next=" not in mail.outbox[0].body
