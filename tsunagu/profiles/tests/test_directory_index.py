"""The directory's own search rows: they follow profiles and memberships, and use a real index."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tsunagu.profiles import directory
from tsunagu.profiles.models import DirectoryEntry, Tag
from tsunagu.profiles.tests.test_directory import found, profile_of
from tsunagu.profiles.tokens import gram_key, text_keys, word_keys
from tsunagu.tenancy.models import Role, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.each_database


def names(world: World, query: str = "", **params: str) -> list[str]:
    return [name.split(" カナリア")[0] for name in found(world, query, **params)]


def test_keys_are_the_characters_and_pairs_of_each_word() -> None:
    grams = ["人", "事", "部", "人事", "事部", "d", "x", "dx"]
    assert text_keys("人事部 dx") == {gram_key(g)[0] for g in grams}
    assert len({gram_key(g)[0] for g in grams}) == len(grams)  # no two grams share a key
    one, exact = word_keys("田")
    assert exact and one == {ord("田")}
    pairs, exact = word_keys("人事部")
    assert not exact and len(pairs) == 2  # 人事 and 事部, then the text is checked
    emoji, exact = word_keys("🍣")
    assert not exact  # outside the Basic Multilingual Plane keys are shared: always checked


@pytest.mark.django_db
def test_a_longer_word_must_appear_whole_not_only_its_pairs(world: World) -> None:
    profile_of(world, world.alumni_a, last_department="人事", last_title="事部長")
    assert names(world, "人事") == ["田中 花子"]
    assert names(world, "事部長") == ["田中 花子"]
    assert names(world, "人事部") == []  # both pairs are there, in different words


@pytest.mark.django_db
def test_a_suspended_member_leaves_the_directory_and_a_reinstated_one_returns(
    world: World,
) -> None:
    profile_of(world, world.alumni_a, current_employer="つなぐ銀行")
    assert names(world, "銀行") == ["田中 花子"]
    member = world.alumni_a
    member.status = Status.SUSPENDED
    member.save(update_fields=["status"])
    assert names(world, "銀行") == []
    member.status = Status.ACTIVE
    member.save(update_fields=["status"])
    assert names(world, "銀行") == ["田中 花子"]


@pytest.mark.django_db
def test_a_new_role_moves_a_member_between_role_filters(world: World) -> None:
    profile_of(world, world.alumni_a, current_employer="つなぐ銀行")
    assert names(world, "銀行", role=Role.EMPLOYEE) == []
    member = world.alumni_a
    member.role = Role.EMPLOYEE
    member.save()
    assert names(world, "銀行", role=Role.EMPLOYEE) == ["田中 花子"]
    assert names(world, "銀行", role=Role.ALUMNI) == []


@pytest.mark.django_db
def test_filters_never_match_a_field_its_owner_does_not_share(world: World) -> None:
    left = datetime.date(2019, 3, 31)
    shared = {"years": "members", "last_position": "members", "industry": "members"}
    profile_of(
        world,
        world.alumni_a,
        left_on=left,
        last_department="法務部",
        industry="金融",
        current_employer="つなぐ銀行",
        visibility=shared,
    )
    filters = [
        {"left_from": "2019", "left_to": "2019"},
        {"department": "法務"},
        {"industry": "金融"},
    ]
    for params in filters:
        assert names(world, "銀行", **params) == ["田中 花子"], params
    hidden = dict.fromkeys(shared, "operators")
    profile_of(world, world.alumni_a, visibility=hidden)
    for params in filters:
        assert names(world, "銀行", **params) == [], params
    assert names(world, "法務") == []  # nor the words of a hidden field


@pytest.mark.django_db
def test_skill_filter_follows_the_skills_audience(world: World) -> None:
    with scope(network=world.net_a):
        tag = Tag.objects.create(
            network=world.net_a, kind="skill", name="簿記2級", normalized="簿記2級"
        )
    profile = profile_of(world, world.alumni_a)
    profile.tags.add(tag)
    profile_of(world, world.alumni_a, visibility={"skills": "members"})
    assert names(world, "", skill="簿記2級") == ["田中 花子"]
    profile_of(world, world.alumni_a, visibility={"skills": "me"})
    assert names(world, "", skill="簿記2級") == []


@pytest.mark.django_db
def test_rebuild_gives_the_rows_the_profiles_would(world: World) -> None:
    profile_of(world, world.alumni_a, current_employer="つなぐ銀行", industry="金融")
    with scopes_disabled():
        before = {e.pk: (e.keys, e.search_text) for e in DirectoryEntry.objects.all()}
        listed = directory.rebuild()
        after = {e.pk: (e.keys, e.search_text) for e in DirectoryEntry.objects.all()}
    assert listed == len(before) and after == before


@pytest.mark.django_db
def test_one_and_two_character_words_go_through_the_index(world: World) -> None:
    """SQLite's trigram tokenizer misses multi-byte patterns under three characters, and
    pg_trgm cannot index them: both databases look such words up as keys in a real index."""
    profile_of(world, world.alumni_a, last_department="人事部")
    with CaptureQueriesContext(connection) as queries:
        assert names(world, "人") == ["田中 花子"]
    searches = [q["sql"] for q in queries.captured_queries if "directoryentry" in q["sql"]]
    assert searches
    if connection.vendor == "sqlite":
        assert all("profiles_directoryentry_fts" in sql and "MATCH" in sql for sql in searches)
        assert all("LIKE" not in sql for sql in searches)
    else:
        assert all("@>" in sql and "LIKE" not in sql for sql in searches)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT profile_id FROM profiles_directoryentry WHERE keys @> %s::int4[]",
                [[ord("人") - 2**31]],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "profiles_directory_keys" in plan


@pytest.mark.django_db
def test_cards_show_what_changed_since_they_were_last_drawn(world: World) -> None:
    profile_of(world, world.alumni_a, current_employer="つなぐ銀行")
    client = world.client(world.supporter_a)
    url = f"/n/{world.net_a.slug}/members/"
    for view in ("cards", "table"):
        assert "つなぐ銀行" in client.get(url, {"view": view}).content.decode()
    profile_of(world, world.alumni_a, current_employer="ひだまり信金")
    user = world.alumni_a.user
    user.name = "田中 花（改名）"
    user.save()
    member = world.alumni_a
    member.role = Role.EMPLOYEE
    member.save()
    for view in ("cards", "table"):
        page = client.get(url, {"view": view}).content.decode()
        assert "ひだまり信金" in page and "つなぐ銀行" not in page
        assert "田中 花（改名）" in page and "chip--employee" in page


@pytest.mark.django_db
def test_a_new_name_or_role_alone_redraws_a_cached_card(world: World) -> None:
    client = world.client(world.supporter_a)
    url = f"/n/{world.net_a.slug}/members/"
    for view in ("cards", "table"):
        page = client.get(url, {"view": view}).content.decode()
        assert "chip--alumni" in page and "田中 花子" in page
    # Neither change saves the profile: the card's version must follow the account and the
    # membership themselves.
    user = world.alumni_a.user
    user.name = "田中 花（改名）"
    user.save()
    for view in ("cards", "table"):
        assert "田中 花（改名）" in client.get(url, {"view": view}).content.decode()
    member = world.alumni_a
    member.role = Role.EMPLOYEE
    member.save()
    for view in ("cards", "table"):
        page = client.get(url, {"view": view}).content.decode()
        assert "田中 花（改名）" in page and "chip--alumni" not in page
