"""Editing a profile, life updates, the employer check, and the operators' roster and audit log."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.images import (
    assert_stripped,
    decoding_refused_above,
    photo_with_location,
    png_bomb,
)
from tsunagu.core.testing.messages import INVALID_CHOICE
from tsunagu.profiles.models import LifeUpdate, Profile
from tsunagu.profiles.visibility import FIELDS
from tsunagu.testing.world import World

from .images import png_bytes


def form_data(**overrides: str) -> dict[str, str]:
    data = {f"show_{field}": audience for field, (_, audience) in FIELDS.items()}
    data |= {
        "display_name": "",
        "name_kana": "たなか はなこ",
        "current_employer": "株式会社みらいテック",
        "current_role": "人事マネージャー",
        "skills": "簿記2級、Python, 簿記２級",
        "interests": "朝活",
        "career-TOTAL_FORMS": "1",
        "career-INITIAL_FORMS": "0",
        "career-MIN_NUM_FORMS": "0",
        "career-MAX_NUM_FORMS": "30",
        "career-0-department": "人事部",
        "career-0-title": "課長",
        "career-0-started_on": "2015-04-01",
        "career-0-ended_on": "2019-03-31",
    }
    return data | overrides


def profile(world: World) -> Profile:
    with scope(network=world.net_a):
        return Profile.objects.prefetch_related("tags", "career").get(membership=world.alumni_a)


@pytest.mark.django_db
def test_a_member_edits_their_profile_with_career_skills_and_a_photo(world: World) -> None:
    client = world.client(world.alumni_a)
    url = f"/n/{world.net_a.slug}/profile/edit/"
    assert client.get(url).status_code == 200
    photo = SimpleUploadedFile("顔写真.png", png_bytes(), "image/png")
    response = client.post(url, form_data(photo=photo, show_contact="operators"))
    assert response.status_code == 302
    saved = profile(world)
    assert saved.current_employer == "株式会社みらいテック"
    assert sorted(t.name for t in saved.tags.all()) == ["Python", "朝活", "簿記2級"]
    assert [c.department for c in saved.career.all()] == ["人事部"]
    assert saved.photo and saved.visibility["contact"] == "operators"
    assert saved.employer_confirmed_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "人事マネージャー" in page and "簿記2級" in page and "人事部" in page
    again = client.get(url)  # the edit page shows the photo through its private address
    assert again.status_code == 200
    assert f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/photo/" in again.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"introduction": "あ" * 10_000}, "introduction", "5000"),
        ({"links": "javascript:alert(1)"}, "links", "https://"),
        ({"joined_on": "2020-04-01", "left_on": "2019-03-31"}, "left_on", "入社日より前"),
        ({"career-0-ended_on": "2010-01-01"}, "ended_on", "開始より前"),
        ({"skills": ",".join(f"技{n}" for n in range(40))}, "skills", "30"),
        ({"show_contact": "everyone"}, "show_contact", INVALID_CHOICE),
    ],
)
def test_bad_input_gets_a_field_error_in_japanese_and_nothing_is_saved(
    world: World, overrides: dict[str, str], field: str, message: str
) -> None:
    client = world.client(world.alumni_a)
    response = client.post(f"/n/{world.net_a.slug}/profile/edit/", form_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert "errorlist" in body and message in body, body[body.find("errorlist") - 300 :][:900]
    assert profile(world).current_employer == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name"),
    [(b"not an image at all", "photo.png"), (png_bytes((3000, 3000)) * 1, "huge.png")],
)
def test_photos_that_are_not_images_or_too_large_are_refused(
    world: World, settings, content: bytes, name: str
) -> None:
    settings.LOGO_MAX_BYTES = 20_000
    client = world.client(world.alumni_a)
    upload = SimpleUploadedFile(name, content, "image/png")
    response = client.post(f"/n/{world.net_a.slug}/profile/edit/", form_data(photo=upload))
    assert response.status_code == 400
    assert "画像" in response.content.decode()
    assert not profile(world).photo


@pytest.mark.django_db
def test_html_and_scripts_in_any_field_are_shown_as_text(world: World) -> None:
    client = world.client(world.alumni_a)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = form_data(
        display_name=attack, current_employer=attack, introduction=attack, skills=attack
    )
    assert client.post(f"/n/{world.net_a.slug}/profile/edit/", data).status_code == 302
    for url in (f"members/{world.alumni_a.pk}/", "members/", "members/?view=table"):
        body = world.client(world.supporter_a).get(f"/n/{world.net_a.slug}/{url}").content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;alert" in body, url  # shown, as text


@pytest.mark.django_db
def test_life_updates_are_posted_shown_and_deleted_only_by_their_author(world: World) -> None:
    client = world.client(world.alumni_a)
    base = f"/n/{world.net_a.slug}/"
    client.post(f"{base}profile/updates/", {"body": "転職しました！"})
    with scope(network=world.net_a):
        update = LifeUpdate.objects.get()
    page = world.client(world.supporter_a).get(f"{base}members/{world.alumni_a.pk}/")
    assert "転職しました！" in page.content.decode()
    other = world.client(world.supporter_a)
    assert other.post(f"{base}profile/updates/{update.pk}/delete/").status_code == 404
    assert client.post(f"{base}profile/updates/{update.pk}/delete/").status_code == 302
    with scope(network=world.net_a):
        assert not LifeUpdate.objects.exists()
    response = client.post(f"{base}profile/updates/", {"body": "あ" * 501}, follow=True)
    assert "500" in response.content.decode()


@pytest.mark.django_db
def test_members_are_asked_to_confirm_where_they_work_when_it_is_stale(world: World) -> None:
    client = world.client(world.alumni_a)
    base = f"/n/{world.net_a.slug}/"
    with scope(network=world.net_a):
        Profile.objects.filter(membership=world.alumni_a).update(
            current_employer="青葉コンサルティング",
            employer_confirmed_at=timezone.now() - datetime.timedelta(days=200),
        )
    assert "青葉コンサルティングで働いていますか" in client.get(f"{base}members/").content.decode()
    client.post(f"{base}profile/confirm/", {"next": "directory"})
    assert "働いていますか" not in client.get(f"{base}members/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("encoding", "codec"), [("", "utf-8-sig"), ("shift_jis", "cp932")])
def test_roster_export_opens_in_excel_and_is_audited(
    world: World, encoding: str, codec: str
) -> None:
    client = world.client(world.operator_a)
    response = client.get(f"/n/{world.net_a.slug}/manage/roster/export.csv", {"encoding": encoding})
    assert response.status_code == 200
    if codec == "utf-8-sig":
        assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode(codec))))
    assert rows[0][0] == "名前"
    names = {row[0].split(" カナリア")[0] for row in rows[1:]}
    assert {"田中 花子", "佐藤 美咲", "鈴木 一郎", "高橋 健太"} <= names
    with scope(network=world.net_a):
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT_ROSTER)
    assert entry.detail["rows"] == 4 and entry.actor_id == world.operator_a.user_id


@pytest.mark.django_db
def test_roster_export_in_shift_jis_keeps_what_cp932_can_hold_and_counts_what_it_cannot(
    world: World,
) -> None:
    with scope(network=world.net_a):
        Profile.objects.filter(membership=world.alumni_a).update(
            current_employer="ソフト\u301cウェア",  # a WAVE DASH typed on a Mac: CP932 holds ～
            name_kanji="\U00020bb7田 沙織",  # 𠮷 (つちよし): CP932 has no such kanji
        )
    client = world.client(world.operator_a)
    response = client.get(f"/n/{world.net_a.slug}/manage/roster/export.csv?encoding=shift_jis")
    text = response.content.decode("cp932")
    assert "ソフト～ウェア" in text and "?田 沙織" in text
    with scope(network=world.net_a):
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT_ROSTER)
    assert entry.detail["lost_cells"] == 1  # the operator can tell a name was changed


@pytest.mark.django_db
def test_operators_viewing_fields_shared_with_them_is_audited(world: World) -> None:
    with scope(network=world.net_a):
        Profile.objects.filter(membership=world.alumni_a).update(
            contact_phone="090-1234-5678", visibility={"contact": "operators"}
        )
    operator = world.client(world.operator_a)
    page = operator.get(f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/").content.decode()
    assert "090-1234-5678" in page
    world.client(world.supporter_a).get(f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/")
    with scope(network=world.net_a):
        entries = list(AuditEntry.objects.filter(action=AuditAction.VIEW_PRIVATE_FIELDS))
    assert [(e.actor_id, e.target_id, e.detail["fields"]) for e in entries] == [
        (world.operator_a.user_id, world.alumni_a.pk, ["contact"])
    ]
    log = operator.get(f"/n/{world.net_a.slug}/manage/audit/").content.decode()
    assert "<td>運営事務局にだけ公開" in log
    assert (
        world.client(world.supporter_a).get(f"/n/{world.net_a.slug}/manage/audit/").status_code
        == 403
    )
    with pytest.raises(ValueError), scope(network=world.net_a):
        entries[0].delete()


@pytest.mark.django_db
def test_the_latest_life_updates_show_on_the_home_page_of_their_network_only(
    world: World,
) -> None:
    home_a = f"/n/{world.net_a.slug}/"
    reader = world.client(world.supporter_a)
    assert "福岡に移住しました！" not in reader.get(home_a).content.decode()  # now cached
    world.client(world.alumni_a).post(f"{home_a}profile/updates/", {"body": "福岡に移住しました！"})
    page = reader.get(home_a).content.decode()
    assert "福岡に移住しました！" in page  # the cache was dropped when it was posted
    assert f"/members/{world.alumni_a.pk}/" in page
    other = world.client(world.alumni_b).get(f"/n/{world.net_b.slug}/").content.decode()
    assert "福岡に移住しました" not in other


@pytest.mark.django_db
def test_a_photo_bomb_is_refused_before_it_is_decoded(world: World) -> None:
    bomb = SimpleUploadedFile("顔写真.png", png_bomb(), "image/png")

    with decoding_refused_above(1_000_000) as decoded:
        response = world.client(world.alumni_a).post(
            f"/n/{world.net_a.slug}/profile/edit/", form_data(photo=bomb)
        )

    assert decoded == []
    assert response.status_code == 400
    assert "50,000,000" in str(response.context["form"].errors["photo"])
    assert not profile(world).photo


@pytest.mark.django_db
def test_a_photo_is_stored_written_again_without_its_location(world: World) -> None:
    photo = SimpleUploadedFile("顔写真.jpg", photo_with_location(), "image/jpeg")

    world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/profile/edit/", form_data(photo=photo, show_photo="members")
    )

    served = world.client(world.employee_a).get(
        f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/photo/"
    )
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert_stripped(b"".join(served.streaming_content))
