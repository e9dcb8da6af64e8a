"""Pages stay fast as boards grow: fixed query counts, and any comment page is one range query."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.boards.demo import LONG_THREAD_TITLE
from tsunagu.boards.models import Reaction, Stamp, Thread, ThreadKind
from tsunagu.boards.tests.helpers import add_comments, make_category, make_thread
from tsunagu.core.revisions import bump
from tsunagu.core.testing.factories import make_member
from tsunagu.tenancy.models import Network
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def url(world: World, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/boards/{path}"


def grow_board(world: World, threads: int, prefix: str) -> None:
    categories = [make_category(world.net_a, f"{prefix}カテゴリー{i}", i) for i in range(3)]
    members = [make_member(world.net_a, name=f"会員 {i}") for i in range(3)]
    for i in range(threads):
        thread = make_thread(
            members[i % 3],
            category=categories[i % 3],
            title=f"{prefix}話題 {i}",
            kind=ThreadKind.CONSULTATION if i % 2 else ThreadKind.DISCUSSION,
            is_pinned=i == 0,
        )
        add_comments(thread, members, 2)


def count_queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_board_index_queries_do_not_grow_with_threads(
    world: World, django_assert_max_num_queries: Any
) -> None:
    grow_board(world, 3, "小")
    client = world.client(world.alumni_a)
    client.get(url(world))  # warm the caches of the layout
    small = count_queries(client, url(world))
    grow_board(world, 30, "大")  # ten times the threads, comments and categories
    client.get(url(world))  # the new categories are read once, then kept in the cache
    with django_assert_max_num_queries(small):
        response = client.get(url(world))
    assert "大話題 29" in response.content.decode()
    assert small <= 3  # the session, the user, and one statement for the page of threads


def fill_thread(world: World, comments: int) -> Any:
    members = [world.alumni_a, world.employee_a, world.supporter_a]
    thread = make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION)
    add_comments(thread, members, comments)
    with scopes_disabled():
        comment_ids = list(thread.comments.values_list("pk", flat=True)[:60])
        Reaction.objects.bulk_create(
            Reaction(network=world.net_a, thread=thread, comment_id=cid, member=m, stamp=Stamp.LIKE)
            for cid in comment_ids
            for m in members
        )
    bump(Thread, thread.pk)  # bulk inserts send no signals
    thread.refresh_from_db()
    return thread


def test_thread_page_queries_do_not_grow_with_comments(
    world: World, django_assert_max_num_queries: Any
) -> None:
    small = fill_thread(world, 100)
    large = fill_thread(world, 1000)
    client = world.client(world.employee_a)
    client.get(url(world, f"t/{small.pk}/"))  # the member's read mark exists from here on
    bump(Thread, small.pk)  # as any change to the thread does
    # A page nobody has read since the thread changed is built from the comments, their
    # stamps and files; later readers get its shared HTML and only read what is theirs.
    cold = count_queries(client, url(world, f"t/{small.pk}/"))
    warm = count_queries(client, url(world, f"t/{small.pk}/"))
    assert cold <= 11
    assert warm <= cold - 3
    for page in ("1", "2", "last"):
        # Reading further records how far the member got: one write more, no more than that.
        with django_assert_max_num_queries(cold + 1):
            client.get(url(world, f"t/{large.pk}/?page={page}"))
        with django_assert_max_num_queries(warm):
            response = client.get(url(world, f"t/{large.pk}/?page={page}"))
        assert response.status_code == 200
    assert '<span aria-current="page"><strong>20</strong></span>' in response.content.decode()
    numbers = re.findall(r'<li id="c(\d+)"', response.content.decode())
    assert numbers == [str(n) for n in range(951, 1001)]


def test_the_last_page_is_read_by_comment_number_not_by_offset(world: World) -> None:
    thread = fill_thread(world, 1000)
    client = world.client(world.employee_a)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url(world, f"t/{thread.pk}/?page=last"))
    comment_sql = [
        q["sql"]
        for q in ctx.captured_queries
        if '"boards_comment"."number"' in q["sql"] and "ORDER BY" in q["sql"]
    ]
    assert comment_sql
    assert all("OFFSET" not in sql.upper() for sql in comment_sql)
    assert all("COUNT(" not in sql.upper() for sql in comment_sql)


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999", ""])
def test_odd_page_numbers_show_a_valid_page(world: World, page: str) -> None:
    thread = fill_thread(world, 120)
    response = world.client(world.employee_a).get(url(world, f"t/{thread.pk}/?page={page}"))
    assert response.status_code == 200
    assert response.context["page_number"] in (1, 3)


def test_a_comment_link_opens_the_page_that_holds_it(world: World) -> None:
    thread = fill_thread(world, 120)
    with scopes_disabled():
        comment = thread.comments.get(number=101)
    response = world.client(world.employee_a).get(url(world, f"comments/{comment.pk}/"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/boards/t/{thread.pk}/?page=3#c101")


def test_demo_seed_has_the_long_thread_the_benchmark_measures(world: World) -> None:
    call_command("seed_demo", members=10)
    mitsuba = Network.objects.get(slug="mitsuba")
    with scope(network=mitsuba):
        threads = list(Thread.objects.filter(network=mitsuba).order_by("pk"))
        first = threads[0]
        assert first.title == LONG_THREAD_TITLE
        assert (first.comment_count, first.last_page) == (1000, 20)
        consultation = next(t for t in threads if t.kind == ThreadKind.CONSULTATION)
        assert consultation.is_answered
    client = world.client(User.objects.get(email="alumni@example.com"))
    for page, marker in (("", 'id="c1"'), ("?page=last", 'id="c1000"')):
        response = client.get(f"/n/mitsuba/boards/t/{first.pk}/{page}")
        assert marker in response.content.decode()
    assert 'id="recent-threads"' in client.get("/n/mitsuba/boards/").content.decode()


def test_the_links_of_rendered_comments_are_the_views_addresses(world: World) -> None:
    """Comments are rendered in Python with addresses built from the boards' base address."""
    from django.urls import reverse

    thread = make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION)
    add_comments(thread, [world.employee_a], 1)
    with scopes_disabled():
        comment = thread.comments.get()
        comment.edited_at = comment.created_at
        comment.save(update_fields=["edited_at"])
    html = world.client(world.operator_a).get(url(world, f"t/{thread.pk}/")).content.decode()
    html += world.client(world.alumni_a).get(url(world, f"t/{thread.pk}/")).content.decode()
    slug = world.net_a.slug
    for name in (
        "comment_react",
        "comment_report",
        "comment_history",
        "comment_moderate",
        "best_answer",
    ):
        address = reverse(f"boards:{name}", kwargs={"network_slug": slug, "comment_id": comment.pk})
        assert f'action="{address}"' in html or f'href="{address}"' in html, name


def test_names_and_file_names_are_escaped_on_the_thread_page(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tsunagu.core.testing.factories import make_user

    evil = make_member(world.net_a, make_user(name='<script>alert("名前")</script>'))
    thread = make_thread(world.alumni_a)
    client = world.client(evil)
    pdf = SimpleUploadedFile('"><img src=x onerror=alert(1)>.pdf', b"%PDF-1.4 x")
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "一つ目", "attachment": pdf})
    with scopes_disabled():
        first = thread.comments.get()
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "二つ目", "reply_to": first.pk})
    html = world.client(world.alumni_a).get(url(world, f"t/{thread.pk}/")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;名前&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "in reply to" not in html and "への返信" in html
