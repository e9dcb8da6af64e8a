"""Names as people type them: no space, either form of a family's kanji, romaji from the reading.

Every case goes through the pages people use: the directory, the talk pickers, the operators'
members page and the check-in list at an event's door.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.models import Registration, RegistrationStatus
from tsunagu.events.tests.helpers import make_event
from tsunagu.profiles.models import DirectoryEntry, Profile
from tsunagu.profiles.names import VARIANTS, fold, romaji_of
from tsunagu.testing.world import World

from .test_directory import found, profile_of

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

# (written in the records, typed in the search box): each pair both ways round.
VARIANT_PAIRS = [
    ("齋藤 健", "斉藤"), ("齋藤 健", "斎藤"), ("斎藤 健", "齋藤"), ("斉藤 健", "齊藤"),
    ("髙野 一", "高野"), ("高野 一", "髙野"),
    ("山﨑 萌", "山崎"), ("山崎 萌", "山﨑"),
    ("渡邊 進", "渡辺"), ("渡邉 進", "渡辺"), ("渡辺 進", "渡邉"), ("渡邊 進", "渡邉"),
    ("𠮷田 優", "吉田"), ("吉田 優", "𠮷田"),
    ("澤田 蓮", "沢田"), ("沢田 蓮", "澤田"),
    ("邉見 恵", "辺見"), ("辺見 恵", "邊見"),
    ("濱田 葵", "浜田"), ("浜田 葵", "濱田"),
]  # fmt: skip


def named(world: World, name: str, **profile: object) -> Profile:
    member = make_member(world.net_a, make_user(name=name))
    return profile_of(world, member, **profile)


@pytest.mark.parametrize(("written", "typed"), VARIANT_PAIRS)
def test_a_family_name_is_found_in_either_kanji_form(
    world: World, written: str, typed: str
) -> None:
    named(world, written)
    named(world, "無関係 太郎")

    assert found(world, typed) == [written]


def test_a_full_name_typed_without_its_space_is_found(world: World) -> None:
    assert found(world, "田中花子") == [world.alumni_a.user.name]
    assert found(world, "田中　花子") == [world.alumni_a.user.name]  # the ideographic space too


def test_romaji_read_from_the_kana_finds_a_member_imported_with_kana_only(world: World) -> None:
    watanabe = named(world, "渡邉 美咲", name_kana="ワタナベ ミサキ")
    sato = named(world, "佐藤 翔太", name_kana="さとう しょうた")

    for typed in ("watanabe", "Watanabe Misaki", "watanabemisaki", "わたなべ", "ﾜﾀﾅﾍﾞ"):
        assert found(world, typed) == [watanabe.name], typed
    for typed in ("sato", "satou", "shota", "shouta", "sato shota"):
        assert found(world, typed) == [sato.name], typed


def test_a_reading_the_member_hides_finds_nobody(world: World) -> None:
    named(world, "渡邉 美咲", name_kana="ワタナベ ミサキ", visibility={"name_kana": "operators"})

    assert found(world, "watanabe") == []
    assert found(world, "わたなべ") == []
    assert found(world, "渡辺") == ["渡邉 美咲"]  # the name itself is always searchable


def test_the_talk_pickers_find_people_the_same_way(world: World) -> None:
    saito = named(world, "齋藤 健", name_kana="サイトウ ケン")
    client = world.client(world.alumni_a)

    for typed in ("斎藤", "saito", "齋藤健"):
        page = client.get(f"/n/{world.net_a.slug}/talk/people/", {"q": typed}).content.decode()
        assert saito.name in page, typed
    page = client.get(f"/n/{world.net_a.slug}/talk/people/", {"q": "渡辺"}).content.decode()
    assert saito.name not in page


def test_the_members_page_and_the_door_list_find_people_the_same_way(world: World) -> None:
    takahashi = named(world, "髙橋 一", name_kana="タカハシ ハジメ")
    operator = world.client(world.operator_a)
    page = operator.get(f"/n/{world.net_a.slug}/manage/console/members/", {"q": "高橋"})
    assert takahashi.name in page.content.decode()

    event = make_event(world.net_a, starts_at=timezone.now() + timezone.timedelta(days=3))
    with scope(network=world.net_a):
        Registration.objects.create(
            network=world.net_a, event=event, user=takahashi.membership.user,
            status=RegistrationStatus.CONFIRMED,
        )  # fmt: skip
    door = operator.get(
        f"/n/{world.net_a.slug}/events/{event.pk}/participants/", {"q": "takahashi"}
    ).content.decode()
    assert takahashi.name in door


def test_another_networks_member_is_not_found_by_any_form(world: World) -> None:
    other = make_member(world.net_b, make_user(name="齋藤 別網"))
    profile_of(world, other, name_kana="サイトウ ベツアミ")
    client = world.client(world.alumni_a)

    assert found(world, "斎藤") == []
    assert (
        "齋藤 別網"
        not in client.get(f"/n/{world.net_a.slug}/talk/people/", {"q": "saito"}).content.decode()
    )


def test_the_variant_table_folds_to_forms_that_are_not_folded_again() -> None:
    assert all(target not in VARIANTS for target in VARIANTS.values())
    assert fold("ＷＡＴＡＮＡＢＥ　渡邊") == "watanabe 渡辺"
    assert romaji_of("コンドウ") == ["kondou", "kondo"]
    assert romaji_of("渡辺") == []  # only a reading in kana gives romaji


def test_profiles_indexed_before_the_upgrade_are_found_after_the_migration(world: World) -> None:
    saito = named(world, "齋藤 健", name_kana="サイトウ ケン")
    with scopes_disabled():  # as the code before stored it: no folding, no name forms
        old = {"search_text": "齋藤 健 さいとう けん", "name_search": ""}
        Profile.objects.filter(pk=saito.pk).update(**old)
        DirectoryEntry.objects.filter(profile_id=saito.pk).delete()
    assert found(world, "斎藤") == []

    importlib.import_module("tsunagu.profiles.migrations.0007_fold_name_variants").recompute(
        apps, None
    )

    assert found(world, "斎藤") == [saito.name]
    assert found(world, "saito") == [saito.name]


def test_the_announcement_preview_finds_people_the_same_way(world: World) -> None:
    from tsunagu.announce.tests.helpers import make_draft

    saito = named(world, "齋藤 健", name_kana="サイトウ ケン")
    draft = make_draft(world.operator_a)
    operator = world.client(world.operator_a)
    preview = f"/n/{world.net_a.slug}/manage/announcements/{draft.pk}/preview/"

    for typed in ("斎藤", "saito", "齋藤健"):
        assert saito.name in operator.get(preview, {"q": typed}).content.decode(), typed
    assert saito.name not in operator.get(preview, {"q": "渡辺"}).content.decode()
