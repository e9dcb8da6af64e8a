"""The board index and category pages: one statement per list, categories from the cache."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tsunagu.boards.models import ThreadKind
from tsunagu.boards.tests.helpers import make_category, make_thread
from tsunagu.notify.actions import notify
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def url(world: World, path: str = "", net: str | None = None) -> str:
    return f"/n/{net or world.net_a.slug}/boards/{path}"


def test_a_new_or_renamed_category_shows_on_the_next_view_of_the_board(world: World) -> None:
    first = make_category(world.net_a, "雑談")
    client = world.client(world.alumni_a)
    assert "雑談" in client.get(url(world)).content.decode()  # the list is now in the cache
    make_category(world.net_a, "キャリア相談", position=1)
    page = client.get(url(world)).content.decode()
    assert "キャリア相談" in page
    first.name = "なんでも雑談"
    first.save()
    for path in ("", f"c/{first.pk}/"):
        page = client.get(url(world, path)).content.decode()
        assert "なんでも雑談" in page
        assert ">雑談<" not in page


def test_board_lists_show_this_networks_threads_and_hidden_ones_only_to_operators(
    world: World,
) -> None:
    category = make_category(world.net_a, "仕事")
    make_thread(world.alumni_a, category=category, title="見える話題")
    make_thread(world.alumni_a, category=category, title="隠された話題", is_hidden=True)
    make_thread(world.alumni_b, title="よその話題")
    for path in ("", f"c/{category.pk}/"):
        member = world.client(world.alumni_a).get(url(world, path)).content.decode()
        assert "見える話題" in member
        assert "隠された話題" not in member
        assert "よその話題" not in member
        operator = world.client(world.operator_a).get(url(world, path)).content.decode()
        assert "隠された話題" in operator
        assert "thread-row--hidden" in operator
        assert "よその話題" not in operator
    other = world.client(world.alumni_b)
    assert other.get(url(world, f"c/{category.pk}/", net=world.net_b.slug)).status_code == 404
    outsider = other.get(url(world, net=world.net_b.slug)).content.decode()
    assert "見える話題" not in outsider
    assert CANARY_A not in outsider


def test_a_row_shows_the_threads_state_category_author_and_count(world: World) -> None:
    category = make_category(world.net_a, "相談室")
    make_thread(
        world.alumni_a,
        category=category,
        title="<b>転職</b>の相談",
        kind=ThreadKind.CONSULTATION,
        is_pinned=True,
        is_locked=True,
    )
    page = world.client(world.employee_a).get(url(world)).content.decode()
    row = re.search(r'<li class="thread-row">.*?</li>', page, re.S)
    assert row is not None
    assert "📌 固定" in row[0]
    assert '<span class="chip chip--pending">相談</span>' in row[0]
    assert "&lt;b&gt;転職&lt;/b&gt;の相談" in row[0]
    assert f"相談室 · 田中 花子 {CANARY_A} · コメント0件" in row[0]
    assert "🔒 ロック中" in row[0]
    assert "未読" in row[0]


@pytest.mark.parametrize(
    ("page", "shown"), [("", 1), ("abc", 1), ("1", 1), ("2", 2), ("0", 2), ("-3", 2), ("999", 2)]
)
def test_page_numbers_on_the_board_show_a_valid_page(world: World, page: str, shown: int) -> None:
    category = make_category(world.net_a, "雑談")
    with scopes_disabled():
        for i in range(35):
            make_thread(world.alumni_a, category=category, title=f"話題{i:02d}")
    client = world.client(world.alumni_a)
    for path in ("", f"c/{category.pk}/"):
        response = client.get(url(world, path) + f"?page={page}")
        html = response.content.decode()
        assert response.context["threads"].number == shown
        assert f"<span>{shown} / 2</span>" in html
        assert len(re.findall(r'<li class="thread-row">', html)) == (30 if shown == 1 else 5)
        assert ('href="?page=2"' in html) == (shown == 1)
        assert ('href="?page=1"' in html) == (shown == 2)


def test_an_empty_board_says_so(world: World) -> None:
    page = world.client(world.alumni_a).get(url(world, "?page=3")).content.decode()
    assert "スレッドはまだありません。" in page
    assert 'class="pager"' not in page


def test_the_links_of_the_board_lists_are_the_views_addresses(world: World) -> None:
    category = make_category(world.net_a, "雑談")
    thread = make_thread(world.alumni_a, category=category)
    page = world.client(world.alumni_a).get(url(world)).content.decode()
    slug = world.net_a.slug
    for name, kwargs in (
        ("boards:thread", {"thread_id": thread.pk}),
        ("boards:category", {"category_id": category.pk}),
        ("boards:new_thread", {}),
        ("boards:unanswered", {}),
        ("boards:search", {}),
        ("boards:index", {}),
    ):
        assert f'"{reverse(name, kwargs={"network_slug": slug, **kwargs})}"' in page, name


def test_the_board_index_header_counts_a_notification_that_arrives_after_a_view(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client(world.alumni_a)
    page = client.get(url(world)).content.decode()
    assert re.search(r"data-unread-count\s+hidden\s*>0<", page)
    with scope(network=world.net_a), django_capture_on_commit_callbacks(execute=True):
        notify(world.net_a, [world.alumni_a.user], "announcement", params={"title": "総会"})
    page = client.get(url(world)).content.decode()
    assert re.search(r"data-unread-count\s*>1<", page)
