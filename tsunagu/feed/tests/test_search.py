"""One search box over threads, comments, news, members and events."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from tsunagu.boards.actions import do_add_comment, do_create_thread
from tsunagu.boards.models import ThreadKind
from tsunagu.boards.tests.helpers import add_comments, make_category, make_thread
from tsunagu.events.tests.helpers import make_event
from tsunagu.news.actions import do_create_article
from tsunagu.profiles.indexing import reindex
from tsunagu.profiles.models import Profile
from tsunagu.testing.world import CANARY_A, World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def search(world: World, who: Any, query: str, network: str | None = None) -> str:
    slug = network or world.net_a.slug
    response = world.client(who).get(f"/n/{slug}/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def profile_of(member: Any, **fields: Any) -> None:
    with scopes_disabled():
        profile = Profile.objects.select_related("membership__user").get(membership=member)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
        reindex(profile)


def seed(world: World) -> None:
    category = make_category(world.net_a, "仕事の相談")
    with scope(network=world.net_a):
        thread = do_create_thread(
            world.alumni_a,
            category=category,
            kind=ThreadKind.CONSULTATION,
            title="人事評価制度の相談",
            body="ＤＸ推進の評価方法を教えてください",
        )
        do_add_comment(
            world.employee_a, thread, body="うちではOKRを使っています。コンサルタントに相談しました"
        )
        do_create_article(
            world.operator_a,
            kind="company_news",
            title="人事部からのお知らせ",
            body="新しい制度が始まります",
            tags=["制度"],
        )
    make_event(world.net_a, title="人事交流会", description="人事担当者の集まり")
    profile_of(world.supporter_a, current_employer="タナカ商事", current_role="人事部長")


def test_one_and_two_character_japanese_queries_find_every_kind(world: World) -> None:
    seed(world)
    page = search(world, world.alumni_a, "人事")
    for expected in ("人事評価制度の相談", "人事部からのお知らせ", "人事交流会", "高橋 健太"):
        assert expected in page, expected
    page = search(world, world.alumni_a, "Ｏ")  # one full-width letter: OKR in a comment
    assert 'id="results-comments"' in page
    assert "OKR" in page


def test_queries_are_normalised_like_the_directory(world: World) -> None:
    seed(world)
    assert "人事評価制度の相談" in search(world, world.alumni_a, "dx推進")
    assert "高橋 健太" in search(world, world.alumni_a, "たなか")  # katakana in the profile
    assert "OKR" in search(world, world.alumni_a, "こんさる")  # hiragana finds katakana
    assert "人事評価制度の相談" in search(world, world.alumni_a, "人事　評価")  # every word


def test_hidden_and_unpublished_posts_are_found_only_by_those_who_may_see_them(
    world: World,
) -> None:
    thread = make_thread(world.alumni_a, title="消された投稿の話題", is_hidden=True)
    with scope(network=world.net_a):
        do_create_article(world.alumni_a, kind="column", title="承認待ちの話題", body="下書き")
    make_event(world.net_a, title="社員限定の話題", audience="employees")
    member = search(world, world.supporter_a, "話題")
    for hidden in ("消された投稿の話題", "承認待ちの話題", "社員限定の話題"):
        assert hidden not in member, hidden
    operator = search(world, world.operator_a, "話題")
    for shown in ("消された投稿の話題", "承認待ちの話題", "社員限定の話題"):
        assert shown in operator, shown
    assert "承認待ちの話題" in search(world, world.alumni_a, "話題")  # the author's own
    assert thread.pk


def test_a_hidden_profile_field_is_never_found(world: World) -> None:
    profile_of(world.alumni_a, current_employer="ひみつ物産", visibility={"current_work": "me"})
    assert "田中 花子" not in search(world, world.employee_a, "ひみつ")
    profile_of(world.alumni_a, visibility={"current_work": "members"})
    assert "田中 花子" in search(world, world.employee_a, "ひみつ")


def test_search_never_crosses_networks(world: World) -> None:
    make_thread(world.alumni_a, title=f"秘密の相談 {CANARY_A}")
    make_event(world.net_a, title=f"秘密の会 {CANARY_A}")
    with scope(network=world.net_a):
        do_create_article(world.operator_a, kind="announcement", title=f"秘密 {CANARY_A}", body="x")
    for member in (world.alumni_b, world.operator_b):
        page = search(world, member, "秘密", network=world.net_b.slug)
        assert CANARY_A not in page
        assert "に一致するものは見つかりませんでした" in page


def test_bad_queries_get_a_clear_answer(world: World) -> None:
    seed(world)
    assert "<script>" not in search(world, world.alumni_a, "<script>alert(1)</script>")
    page = search(world, world.alumni_a, "人" * 300)
    assert "100文字までで検索しました" in page
    page = search(world, world.alumni_a, "   ")
    assert 'name="q"' in page and "見つかりませんでした" not in page
    assert "人事評価制度の相談" not in search(world, world.alumni_a, "%_")


def test_bulk_inserted_comments_are_found_after_reindexing(world: World) -> None:
    thread = make_thread(world.alumni_a, title="大量のコメント")
    add_comments(thread, [world.employee_a], 3, text="バルクで入った返信")
    assert 'id="results-comments"' not in search(world, world.alumni_a, "バルク")
    out = io.StringIO()
    call_command("reindex_search", network=world.net_a.slug, stdout=out)
    assert out.getvalue().startswith(f"{world.net_a.slug}: ")
    assert 'id="results-comments"' in search(world, world.alumni_a, "バルク")


def test_search_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    def grow(count: int) -> None:
        for i in range(count):
            thread = make_thread(world.alumni_a, title=f"人事の話題 {i}")
            with scope(network=world.net_a):
                do_add_comment(world.employee_a, thread, body="人事の返信")
            make_event(world.net_a, title=f"人事イベント {i}")

    client = world.client(world.alumni_a)
    profile_of(world.supporter_a, current_role="人事")
    grow(3)
    client.get("/n/mitsuba-a/search/", {"q": "人事"})
    with django_assert_num_queries(QUERIES):
        client.get("/n/mitsuba-a/search/", {"q": "人事"})
    grow(30)
    with django_assert_num_queries(QUERIES):
        client.get("/n/mitsuba-a/search/", {"q": "人事"})


QUERIES = 9  # members: the capped count, the page of ids, their profiles and tags
