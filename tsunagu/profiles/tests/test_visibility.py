"""No profile field ever reaches an audience it was not shared with.

For every shareable field and every audience, the field is filled with a value that appears
nowhere else; then every viewer asks for every place a profile shows up: the profile page, the
directory (cards and table, full page and HTMX fragment), a search for that very value, the
directory's filters, the operators' roster and its CSV export.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from tsunagu.profiles.indexing import reindex
from tsunagu.profiles.models import Audience, CareerEntry, Profile, Tag
from tsunagu.profiles.normalize import normalize
from tsunagu.profiles.visibility import FIELDS
from tsunagu.testing.world import World

from .images import png_bytes


@dataclass(frozen=True)
class Secret:
    """What goes into a field, what a page shows of it, and how a member might search for it."""

    values: dict[str, Any]
    shown_as: str
    search: str | None = None
    filter: dict[str, str] | None = None


SECRETS: dict[str, Secret] = {
    "name_kanji": Secret({"name_kanji": "秘漢字名"}, "秘漢字名", "秘漢字名"),
    "name_kana": Secret({"name_kana": "ひみつかなめい"}, "ひみつかなめい", "ヒミツカナメイ"),
    "name_romaji": Secret({"name_romaji": "Himitsu Romaji"}, "Himitsu Romaji", "himitsu romaji"),
    "photo": Secret({}, "/photo/"),  # the address of the photo, in an <img>
    "years": Secret(
        {"joined_on": datetime.date(1961, 4, 1), "left_on": datetime.date(1963, 3, 31)},
        "1961",
        filter={"left_from": "1963", "left_to": "1963"},
    ),
    "last_position": Secret(
        {"last_department": "秘密部署ゼータ", "last_title": "秘密役職"},
        "秘密部署ゼータ",
        "秘密部署ゼータ",
        {"department": "秘密部署ゼータ"},
    ),
    "career": Secret({}, "秘密経歴部署", "秘密経歴部署"),
    "current_work": Secret(
        {"current_employer": "秘密商事オメガ", "current_role": "秘密職"},
        "秘密商事オメガ",
        "秘密商事オメガ",
    ),
    "industry": Secret({"industry": "秘密業界"}, "秘密業界", "秘密業界", {"industry": "秘密業界"}),
    "location": Secret({"location": "秘密県"}, "秘密県", "秘密県"),
    "skills": Secret({}, "秘密スキル", "秘密スキル", {"skill": "秘密スキル"}),
    "interests": Secret({}, "秘密趣味", "秘密趣味"),
    "can_help_with": Secret({"can_help_with": "秘密の手伝い"}, "秘密の手伝い", "秘密の手伝い"),
    "looking_for": Secret({"looking_for": "秘密の探し物"}, "秘密の探し物", "秘密の探し物"),
    "introduction": Secret({"introduction": "秘密の自己紹介"}, "秘密の自己紹介", "秘密の自己紹介"),
    "links": Secret({"links": "https://secret-link.example/"}, "secret-link.example"),
    "contact": Secret(
        {"contact_email": "secret-contact@example.jp", "contact_phone": "090-0000-1111"},
        "secret-contact@example.jp",
    ),
    "birth_date": Secret({"birth_date": datetime.date(1958, 2, 3)}, "1958"),
}


def test_every_shareable_field_has_a_secret() -> None:
    assert set(SECRETS) == set(FIELDS)


def fill(world: World, field: str, audience: str) -> Profile:
    secret = SECRETS[field]
    with scope(network=world.net_a):
        profile = Profile.objects.select_related("membership__user").get(membership=world.alumni_a)
        for name, value in secret.values.items():
            setattr(profile, name, value)
        if field == "photo":
            profile.photo = SimpleUploadedFile("secretphoto.png", png_bytes(), "image/png")
        profile.visibility = {field: audience}
        profile.save()
        if field == "career":
            CareerEntry.objects.create(
                profile=profile, network=world.net_a, department="秘密経歴部署"
            )
        if field in ("skills", "interests"):
            kind = "skill" if field == "skills" else "interest"
            name = secret.shown_as
            tag = Tag.objects.create(
                network=world.net_a, kind=kind, name=name, normalized=normalize(name)
            )
            profile.tags.add(tag)
        reindex(profile)
    return profile


def pages(world: World, viewer: Any, field: str) -> dict[str, str]:
    """Every place the alumni's profile may appear, as this viewer gets it."""
    client = world.client(viewer)
    base = f"/n/{world.net_a.slug}/"
    secret = SECRETS[field]
    urls = {
        "profile": f"{base}members/{world.alumni_a.pk}/",
        "cards": f"{base}members/",
        "table": f"{base}members/?view=table",
    }
    found: dict[str, str] = {}
    for where, url in urls.items():
        found[where] = client.get(url).content.decode()
    found["fragment"] = client.get(urls["table"], headers={"HX-Request": "true"}).content.decode()
    if secret.search:
        found["search"] = client.get(f"{base}members/", {"q": secret.search}).content.decode()
    if secret.filter:
        found["filter"] = client.get(f"{base}members/", secret.filter).content.decode()
    if getattr(viewer, "is_operator", False):
        found["roster"] = client.get(f"{base}manage/roster/").content.decode()
        found["export"] = client.get(f"{base}manage/roster/export.csv").content.decode("utf-8-sig")
    return found


def appears(world: World, where: str, body: str, field: str) -> bool:
    if where in ("search", "filter"):
        # The profile is found when its link is in the results.
        return f"/members/{world.alumni_a.pk}/" in body
    return SECRETS[field].shown_as in body


MAY_SEE = {
    Audience.ONLY_ME: {"owner"},
    Audience.OPERATORS: {"owner", "operator"},
    Audience.MEMBERS: {"owner", "operator", "member"},
    # Inside the network as members; another network only through an active link (collab).
    Audience.LINKED: {"owner", "operator", "member"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("audience", Audience.values)
@pytest.mark.parametrize("field", list(SECRETS))
def test_a_field_reaches_exactly_its_audience(world: World, field: str, audience: str) -> None:
    fill(world, field, audience)
    viewers = {
        "owner": world.alumni_a,
        "operator": world.operator_a,
        "member": world.supporter_a,
        "another network's operator": world.operator_b,
    }
    wrong: list[str] = []
    shown_somewhere: set[str] = set()
    for who, viewer in viewers.items():
        for where, body in pages(world, viewer, field).items():
            if where in ("cards", "table", "fragment") and field not in CARD_FIELDS:
                continue
            seen = appears(world, where, body, field)
            if seen:
                shown_somewhere.add(who)
            if who == "owner" and where in ("search", "filter"):
                continue  # the directory searches what members share, also for the owner
            if seen and who not in MAY_SEE[audience]:
                wrong.append(f"{who} sees {field} ({audience}) on {where}")
            must_show = where == "profile" or (where == "export" and field in EXPORT_FIELDS)
            if not seen and who in MAY_SEE[audience] and must_show:
                wrong.append(f"{who} does not see {field} ({audience}) on {where}")
    assert not wrong, "\n".join(wrong)
    assert "owner" in shown_somewhere  # the value was there to leak


# Fields a directory card or table row shows when they are shared with members.
EXPORT_FIELDS = set(FIELDS) - {"photo", "career", "introduction", "links"}
CARD_FIELDS = {"photo", "years", "last_position", "current_work", "skills"}


@pytest.mark.django_db
def test_members_find_shared_fields_and_filters_match_them(world: World) -> None:
    """The other half of the matrix: shared values are searchable, so the test above can fail."""
    client = world.client(world.supporter_a)
    base = f"/n/{world.net_a.slug}/members/"
    for field, secret in SECRETS.items():
        fill(world, field, Audience.MEMBERS)
        if secret.search:
            body = client.get(base, {"q": secret.search}).content.decode()
            assert f"/members/{world.alumni_a.pk}/" in body, field
        if secret.filter:
            body = client.get(base, secret.filter).content.decode()
            assert f"/members/{world.alumni_a.pk}/" in body, field


@pytest.mark.django_db
@pytest.mark.parametrize("audience", Audience.values)
def test_the_photo_file_itself_is_served_only_to_its_audience(world: World, audience: str) -> None:
    fill(world, "photo", audience)
    url = f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/photo/"
    viewers = {
        "owner": world.alumni_a,
        "operator": world.operator_a,
        "member": world.supporter_a,
        "another network's operator": world.operator_b,
    }
    for who, viewer in viewers.items():
        response = world.client(viewer).get(url)
        if who in MAY_SEE[audience]:
            assert response.status_code == 200, who
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content) == png_bytes()
        else:
            assert response.status_code in (302, 404), who
    with scope(network=world.net_a):
        name = Profile.objects.get(membership=world.alumni_a).photo.name
    assert "secretphoto" not in name  # stored under a name nobody can guess
    assert world.client(None).get(f"/media/{name}").status_code == 404
