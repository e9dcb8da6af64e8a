"""The directory: Japanese search, filters, paging, and a constant number of queries."""

from __future__ import annotations

import importlib

import pytest
from django_scopes import scope

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.profiles.indexing import reindex
from tsunagu.profiles.models import Profile, Tag
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.models import Role, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.each_database


def profile_of(world: World, membership, **fields) -> Profile:  # noqa: ANN001
    with scope(network=membership.network):
        profile = Profile.objects.select_related("membership__user").get(membership=membership)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
        reindex(profile)
    return profile


def found(world: World, query: str, viewer=None, **params: str) -> list[str]:  # noqa: ANN001
    client = world.client(viewer or world.supporter_a)
    body = client.get(f"/n/{world.net_a.slug}/members/", {"q": query, **params}).content.decode()
    with scope(network=world.net_a):
        profiles = Profile.objects.filter(network=world.net_a).select_related("membership__user")
        return sorted(p.name for p in profiles if f'/members/{p.pk}/"' in body)


def test_normalisation_folds_widths_case_and_kana() -> None:
    assert normalize("ＤＸ推進室") == "dx推進室"
    assert normalize("ﾀﾅｶ") == normalize("タナカ") == normalize("たなか") == "たなか"
    assert normalize("  Sato　Misaki ") == "sato misaki"  # a full-width space separates words


@pytest.fixture
def people(world: World) -> World:
    profile_of(
        world,
        world.alumni_a,
        name_kana="タナカ ハナコ",
        last_department="人事部",
        current_employer="株式会社ＤＸパートナーズ",
    )
    profile_of(
        world,
        world.employee_a,
        name_kana="すずき いちろう",
        last_department="経理部",
        current_employer="三ツ葉商事",
    )
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("人事", ["田中 花子"]),  # two kanji
        ("田", ["田中 花子"]),  # one kanji
        ("DX", ["田中 花子"]),  # half-width query, full-width data
        ("ｄｘ", ["田中 花子"]),  # full-width lower case
        ("ﾀﾅｶ", ["田中 花子"]),  # half-width katakana, katakana data
        ("スズキ", ["鈴木 一郎"]),  # katakana query, hiragana data
        ("経理 三ツ葉", ["鈴木 一郎"]),  # every word must match
        ("経理 人事", []),
    ],
)
def test_japanese_queries_of_one_or_two_characters_find_people(
    people: World, query: str, expected: list[str]
) -> None:
    names = [name.split(" カナリア")[0] for name in found(people, query)]
    assert names == expected


@pytest.mark.django_db
def test_filters_sort_and_views(people: World) -> None:
    world = people
    profile_of(world, world.alumni_a, industry="IT・通信")
    assert [n.split(" カ")[0] for n in found(world, "", role=Role.EMPLOYEE)] == ["鈴木 一郎"]
    assert [n.split(" カ")[0] for n in found(world, "", department="人事")] == ["田中 花子"]
    assert [n.split(" カ")[0] for n in found(world, "", industry="IT・通信")] == ["田中 花子"]
    client = world.client(world.alumni_a)
    table = client.get(f"/n/{world.net_a.slug}/members/", {"view": "table", "sort": "updated"})
    assert "<table" in table.content.decode()
    fragment = client.get(
        f"/n/{world.net_a.slug}/members/", {"q": "人事"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.content.decode() and "人事部" in fragment.content.decode()


@pytest.mark.django_db
def test_a_hidden_kana_reading_does_not_place_its_owner_in_the_directory(world: World) -> None:
    # Sorted by a reading nobody may see, a member's place between others would spell it out.
    hidden = profile_of(world, world.alumni_a, name_kana="あああ", visibility={"name_kana": "me"})
    shared = profile_of(world, world.employee_a, name_kana="いいい")
    body = (
        world.client(world.supporter_a)
        .get(f"/n/{world.net_a.slug}/members/", {"sort": "name"})
        .content.decode()
    )
    assert body.index(f'/members/{shared.pk}/"') < body.index(f'/members/{hidden.pk}/"')


@pytest.mark.django_db
def test_readings_hidden_before_the_upgrade_stop_placing_their_owners(world: World) -> None:
    from django.apps import apps
    from django_scopes import scopes_disabled

    from tsunagu.profiles.models import DirectoryEntry

    migration = importlib.import_module(
        "tsunagu.profiles.migrations.0005_sort_name_of_hidden_readings"
    )
    hidden = profile_of(world, world.alumni_a, name_kana="あああ", visibility={"name_kana": "me"})
    with scopes_disabled():  # as the code before stored it
        Profile.objects.filter(pk=hidden.pk).update(sort_name="あああ")
        DirectoryEntry.objects.filter(profile_id=hidden.pk).update(sort_name="あああ")
        migration.sort_by_name(apps, None)
        assert Profile.objects.get(pk=hidden.pk).sort_name.startswith("田中")
        assert DirectoryEntry.objects.get(profile_id=hidden.pk).sort_name.startswith("田中")


@pytest.mark.django_db
def test_suspended_members_and_other_networks_are_not_in_the_directory(world: World) -> None:
    gone = make_member(world.net_a, make_user(name="退会 済子"), status=Status.SUSPENDED)
    other = make_member(world.net_b, make_user(name="他社 太郎"))
    assert not found(world, "退会")
    assert not found(world, "他社")
    client = world.client(world.supporter_a)
    assert client.get(f"/n/{world.net_a.slug}/members/{gone.pk}/").status_code == 404
    assert client.get(f"/n/{world.net_a.slug}/members/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_tags_are_matched_across_spellings(world: World) -> None:
    with scope(network=world.net_a):
        tag = Tag.objects.create(
            network=world.net_a,
            kind="skill",
            name="Ｐｙｔｈｏｎ",
            normalized=normalize("Ｐｙｔｈｏｎ"),
        )
        profile = Profile.objects.select_related("membership__user").get(membership=world.alumni_a)
        profile.tags.add(tag)
        reindex(profile)
    assert len(found(world, "python")) == 1
    assert len(found(world, "", skill="PYTHON")) == 1


def grow(world: World, count: int) -> None:
    with scope(network=world.net_a):
        tag, _ = Tag.objects.get_or_create(
            network=world.net_a, kind="skill", name="採用", normalized="採用"
        )
        for number in range(count):
            member = make_member(world.net_a, make_user(name=f"会員 {number}号"))
            profile = Profile.objects.select_related("membership__user").get(membership=member)
            profile.current_employer = f"株式会社{number}"
            profile.save()
            profile.tags.add(tag)
            reindex(profile)


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["cards", "table"])
def test_directory_queries_do_not_grow_with_the_network(
    world: World, django_assert_max_num_queries, view: str
) -> None:
    client = world.client(world.alumni_a)
    url = f"/n/{world.net_a.slug}/members/?view={view}"
    grow(world, 5)
    client.get(url)  # caches warm
    with django_assert_max_num_queries(14) as small:
        client.get(url, {"q": "会員"})
    grow(world, 50)
    client.get(url)  # the filter suggestions are cached again, as between any two requests
    with django_assert_max_num_queries(14) as large:
        response = client.get(url, {"q": "会員"})
    assert "株式会社10" in response.content.decode()  # one of the members added since
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_profile_page_queries_do_not_grow(world: World, django_assert_max_num_queries) -> None:
    client = world.client(world.supporter_a)
    url = f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/"
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    with scope(network=world.net_a):
        profile = Profile.objects.get(membership=world.alumni_a)
        for number in range(10):
            tag = Tag.objects.create(
                network=world.net_a, kind="skill", name=f"技能{number}", normalized=f"技能{number}"
            )
            profile.tags.add(tag)
            profile.career.create(network=world.net_a, department=f"部署{number}")
    with django_assert_max_num_queries(12) as large:
        response = client.get(url)
    assert "部署9" in response.content.decode() and "技能9" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_past_the_counting_cap_members_are_asked_to_narrow_the_search(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tsunagu.profiles.views.COUNT_CAP", 3)
    client = world.client(world.alumni_a)
    body = client.get(f"/n/{world.net_a.slug}/members/").content.decode()
    assert "3人以上が該当します" in body  # four members in network A
    body = client.get(f"/n/{world.net_a.slug}/members/", {"q": "田中"}).content.decode()
    assert "1人" in body and "以上" not in body


@pytest.mark.django_db
def test_the_filter_choices_follow_a_profile_save_and_a_departure_once_gathered_again(
    world: World,
) -> None:
    """The first view after a change answers with the previous choices and queues the task
    that gathers them (run at once here: tasks are eager in tests); the view after it shows
    them."""
    client = world.client(world.employee_a)
    url = f"/n/{world.net_a.slug}/members/"
    assert "データ分析" not in client.get(url).content.decode()  # the choices are kept now
    with scope(network=world.net_a):
        tag = Tag.objects.create(
            network=world.net_a, kind="skill", name="データ分析", normalized="データ分析"
        )
        profile = Profile.objects.select_related("membership__user").get(membership=world.alumni_a)
        profile.industry = "再生可能エネルギー"
        profile.save()
        profile.tags.add(tag)
        reindex(profile)  # as the profile form's save does
    queued = client.get(url).content.decode()  # no member waits for them
    assert '<option value="データ分析">' not in queued
    body = client.get(url).content.decode()
    assert '<option value="データ分析">' in body
    assert "<option>再生可能エネルギー</option>" in body

    with scope(network=world.net_a):
        world.alumni_a.status = Status.SUSPENDED
        world.alumni_a.save()
    client.get(url)
    body = client.get(url).content.decode()
    assert "データ分析" not in body and "再生可能エネルギー" not in body


def search_form(page: str) -> str:
    start = page.index('<form class="directory-search')
    return page[start : page.index("</form>", start)]


@pytest.mark.django_db
def test_the_search_form_shows_what_each_reader_asked_in_their_language(world: World) -> None:
    url = f"/n/{world.net_a.slug}/members/"
    asked = {"q": '"><b>木村', "role": "alumni", "sort": "updated", "view": "table"}
    body = world.client(world.alumni_a).get(url, asked).content.decode()
    form = search_form(body)
    assert 'name="q" value="&quot;&gt;&lt;b&gt;木村"' in form
    assert '<option value="alumni" selected>アルムナイ</option>' in form
    assert '<option value="updated" selected>' in form
    assert '<option value="table" selected>' in form
    assert f'hx-get="{url}"' in form
    # Another reader asking something else gets their own form, though the form is kept.
    other = world.client(world.employee_a)
    body = other.get(url, {"q": "佐藤"}).content.decode()
    form = search_form(body)
    assert 'value="佐藤"' in form and "木村" not in form
    assert '<option value="alumni">' in form and '<option value="name" selected>' in form
    other.post("/language/", {"language": "en", "next": "/"})
    body = other.get(url, {"q": "佐藤"}).content.decode()
    assert '<option value="joined">Newest members</option>' in body
