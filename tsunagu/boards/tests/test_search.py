from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tsunagu.boards.models import Comment
from tsunagu.boards.tests.helpers import add_comments, make_thread
from tsunagu.testing.world import CANARY_A, World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def search(world: World, who: object, q: str, net: str | None = None) -> str:
    client = world.client(who)  # type: ignore[arg-type]
    response = client.get(f"/n/{net or world.net_a.slug}/boards/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_one_or_two_japanese_characters_find_threads_and_comments(world: World) -> None:
    thread = make_thread(world.alumni_a, title="補助金の申請", body="初めての申請です。")
    add_comments(thread, [world.employee_a], 1, text="税理士に相談しました。")
    page = search(world, world.employee_a, "補助")
    assert "補助金の申請" in page
    page = search(world, world.employee_a, "税")
    assert "税理士に相談しました。" in page
    assert "補助金の申請 #1" in page


def test_several_words_must_all_match(world: World) -> None:
    make_thread(world.alumni_a, title="経理システム", body="クラウドで")
    make_thread(world.alumni_a, title="経理の勉強会", body="対面で")
    page = search(world, world.employee_a, "経理　クラウド")  # a full-width space separates
    assert "経理システム" in page and "経理の勉強会" not in page


def test_hidden_posts_and_other_networks_are_not_found(world: World) -> None:
    # Members' names hold the canary, so these posts carry a marker of their own.
    make_thread(world.alumni_a, title=f"非表示の話題 ひみつ42 {CANARY_A}", is_hidden=True)
    visible = make_thread(world.alumni_a, title="公開の話題")
    add_comments(visible, [world.employee_a], 1, text=f"消されたコメント ひみつ42 {CANARY_A}")
    with scopes_disabled():
        Comment.objects.update(is_hidden=True)
    assert "ひみつ42" not in search(world, world.employee_a, "ひみつ")
    assert CANARY_A not in search(world, world.alumni_b, "ひみつ", net=world.net_b.slug)
    found = search(world, world.operator_a, "ひみつ")
    assert "非表示の話題 ひみつ42" in found and "消されたコメント ひみつ42" in found


@pytest.mark.parametrize("q", ["", "%", "_", "あ" * 500, "\\", "' OR 1=1 --"])
def test_odd_queries_answer_normally(world: World, q: str) -> None:
    make_thread(world.alumni_a, title="100%の力で")
    page = search(world, world.employee_a, q)
    if q == "%":
        assert "100%の力で" in page
    if q == "_":
        assert "100%の力で" not in page
