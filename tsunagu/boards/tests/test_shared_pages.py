"""A thread's comment pages are shared HTML filled per reader: what is a reader's own stays theirs,
and every change to the thread shows at once."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.boards.models import Attachment, Category, Comment
from tsunagu.boards.tests.helpers import add_comments, make_thread
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def page(world: World, member: object, thread_id: int) -> str:
    response = world.client(member).get(f"/n/{world.net_a.slug}/boards/t/{thread_id}/")
    assert response.status_code == 200
    return response.content.decode()


def comment_block(html: str, number: int) -> str:
    start = html.index(f'<li id="c{number}"')
    return html[start : html.index("</li>", start)]


def test_each_reader_sees_their_own_stamps_and_edit_links_on_the_same_page(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.alumni_a, world.employee_a], 2)
    with scopes_disabled():
        first = Comment.objects.get(thread=thread, number=1)  # by alumni_a
    react = f"/n/{world.net_a.slug}/boards/comments/{first.pk}/react/"
    assert world.client(world.employee_a).post(react, {"stamp": "thanks"}).status_code in (200, 302)

    alumni, employee = (
        page(world, world.alumni_a, thread.pk),
        page(world, world.employee_a, thread.pk),
    )
    edit = f"/comments/{first.pk}/edit/"
    assert edit in comment_block(alumni, 1)  # the author's own comment
    assert edit not in comment_block(employee, 1)
    assert f"/comments/{first.pk + 1}/edit/" in comment_block(employee, 2)
    mine = re.compile(r'class="stamp stamp--mine" aria-pressed="true"[^>]*value="thanks"')
    assert mine.search(comment_block(employee, 1))
    assert not mine.search(comment_block(alumni, 1))
    # Both see the count, and each page carries its reader's own CSRF token, never a hole.
    assert "🙏 <span>1</span>" in comment_block(alumni, 1)
    assert "\x00" not in alumni + employee


def test_a_new_comment_edit_stamp_or_lock_shows_to_the_next_reader(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.employee_a], 1)
    base = f"/n/{world.net_a.slug}/boards"
    reader = world.alumni_a
    assert "新しい意見です" not in page(world, reader, thread.pk)  # now cached

    author = world.client(world.employee_a)
    author.post(f"{base}/t/{thread.pk}/comment/", {"body": "新しい意見です"})
    assert "新しい意見です" in comment_block(page(world, reader, thread.pk), 2)

    with scopes_disabled():
        second = Comment.objects.get(thread=thread, number=2)
    author.post(f"{base}/comments/{second.pk}/edit/", {"body": "書き直した意見です"})
    assert "書き直した意見です" in comment_block(page(world, reader, thread.pk), 2)

    author.post(f"{base}/comments/{second.pk}/react/", {"stamp": "idea"})
    assert "💡 <span>1</span>" in comment_block(page(world, reader, thread.pk), 2)

    world.client(world.operator_a).post(f"{base}/t/{thread.pk}/moderate/", {"action": "lock"})
    html = page(world, world.employee_a, thread.pk)
    assert "reply_to=" not in html and f"/comments/{second.pk}/edit/" not in html


def test_an_edited_thread_title_and_body_show_to_the_next_reader(world: World) -> None:
    thread = make_thread(world.alumni_a, title="懇親会の場所", body="場所は未定です")
    before = page(world, world.employee_a, thread.pk)  # now cached for members
    assert "懇親会の場所" in before and "場所は未定です" in before

    response = world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/boards/t/{thread.pk}/edit/",
        {"title": "懇親会は新宿で", "body": "新宿の会場に決まりました"},
    )
    assert response.status_code == 302

    html = page(world, world.employee_a, thread.pk)
    shared = html[html.index('<article class="card thread">') : html.index("</article>")]
    assert "懇親会は新宿で" in shared and "新宿の会場に決まりました" in shared
    assert "懇親会の場所" not in html and "場所は未定です" not in html


def test_a_hidden_comment_stays_hidden_from_members_while_operators_see_it(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.employee_a], 1, text="不適切な書き込み")
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    assert "不適切な書き込み" in page(world, world.alumni_a, thread.pk)  # cached for members
    operator = world.client(world.operator_a)
    operator.post(f"/n/{world.net_a.slug}/boards/comments/{comment.pk}/moderate/", {"hidden": "1"})
    assert "不適切な書き込み" not in page(world, world.alumni_a, thread.pk)
    assert "不適切な書き込み" in page(world, world.operator_a, thread.pk)
    assert "不適切な書き込み" not in page(world, world.alumni_a, thread.pk)


EVIL = "https://evil.example/?t="


def test_text_with_a_nul_stored_by_another_path_cannot_fill_a_readers_hole(world: World) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store a NUL: the case is a database that can (SQLite)")
    thread = make_thread(world.alumni_a, title="見出し\x00unread\x00")
    # A comment whose HTML would send the reader's CSRF token away, by an author whose name
    # would pull in the comment form, with a file named after the follow button.
    add_comments(thread, [world.alumni_a], 1, text=f'<img src="{EVIL}\x00csrf\x00">')
    with scopes_disabled():
        User.objects.filter(pk=world.alumni_a.user_id).update(name="花子\x00form\x00")
        Category.objects.filter(pk=thread.category_id).update(name="分類\x00poll\x00")
        comment = Comment.objects.get(thread=thread)
        Attachment.objects.create(
            network=world.net_a, thread=thread, comment=comment, uploader=world.alumni_a,
            name="資料\x00follow\x00.pdf", content_type="application/pdf", size=1, file="x",
        )  # fmt: skip

    html = page(world, world.employee_a, thread.pk)

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert f"{EVIL}{token}" not in html
    assert f'src="{EVIL}\ufffdcsrf\ufffd"' in html
    assert "花子\ufffdform\ufffd" in html and "資料\ufffdfollow\ufffd.pdf" in html
    assert "見出し\ufffdunread\ufffd" in html and "分類\ufffdpoll\ufffd" in html
    assert html.count('id="comment-form"') == 1
    shared = html[html.index('<article class="card thread">') : html.index('id="comment-form"')]
    assert "\x00" not in shared
