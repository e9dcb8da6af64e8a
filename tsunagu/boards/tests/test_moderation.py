from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tsunagu.boards.models import Comment, Report, Thread
from tsunagu.boards.tests.helpers import add_comments, make_category, make_thread
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def url(world: World, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/boards/{path}"


def test_operator_sets_up_ordered_categories(world: World) -> None:
    client = world.client(world.operator_a)
    client.post(url(world, "manage/categories/"), {"name": "キャリア相談", "position": 2})
    client.post(url(world, "manage/categories/"), {"name": "雑談", "position": 1})
    response = client.post(url(world, "manage/categories/"), {"name": "雑談", "position": 3})
    assert "この名前のカテゴリーはすでにあります。" in response.content.decode()
    page = world.client(world.alumni_a).get(url(world)).content.decode()
    assert page.index("雑談") < page.index("キャリア相談")


def test_members_cannot_manage_categories_or_moderate(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.supporter_a)
    assert client.post(url(world, "manage/categories/"), {"name": "x"}).status_code == 403
    assert (
        client.post(url(world, f"t/{thread.pk}/moderate/"), {"action": "hide"}).status_code == 403
    )
    assert client.get(url(world, "moderation/")).status_code == 403
    with scopes_disabled():
        thread.refresh_from_db()
    assert not thread.is_hidden


def test_operator_pins_locks_and_moves_a_thread(world: World) -> None:
    old = make_thread(world.alumni_a, title="古い話題")
    make_thread(world.alumni_a, title="新しい話題")
    elsewhere = make_category(world.net_a, "お知らせ")
    client = world.client(world.operator_a)
    client.post(url(world, f"t/{old.pk}/moderate/"), {"action": "pin"})
    client.post(url(world, f"t/{old.pk}/moderate/"), {"action": "lock"})
    client.post(url(world, f"t/{old.pk}/moderate/"), {"action": "move", "category": elsewhere.pk})
    with scopes_disabled():
        old.refresh_from_db()
    assert old.is_pinned and old.is_locked and old.category_id == elsewhere.pk
    page = world.client(world.alumni_a).get(url(world)).content.decode()
    assert page.index("古い話題") < page.index("新しい話題")


def test_a_thread_cannot_be_moved_to_another_networks_category(world: World) -> None:
    thread = make_thread(world.alumni_a)
    theirs = make_category(world.net_b, "B")
    world.client(world.operator_a).post(
        url(world, f"t/{thread.pk}/moderate/"), {"action": "move", "category": theirs.pk}
    )
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.category_id != theirs.pk


def test_hidden_threads_are_invisible_to_members_but_not_to_operators(world: World) -> None:
    thread = make_thread(world.alumni_a, title="非公開にされる話題", is_hidden=True)
    member = world.client(world.employee_a)
    assert "非公開にされる話題" not in member.get(url(world)).content.decode()
    assert member.get(url(world, f"t/{thread.pk}/")).status_code == 404
    operator = world.client(world.operator_a)
    assert operator.get(url(world, f"t/{thread.pk}/")).status_code == 200
    assert "非公開にされる話題" in operator.get(url(world)).content.decode()


def test_hidden_comments_lose_their_text_for_members(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.employee_a], 2, text="不適切な発言")
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread, number=1)
    world.client(world.operator_a).post(
        url(world, f"comments/{comment.pk}/moderate/"), {"hidden": "1"}
    )
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.comment_count == 1
    page = world.client(world.alumni_a).get(url(world, f"t/{thread.pk}/")).content.decode()
    assert page.count("不適切な発言") == 1
    assert "運営事務局が非表示に" in page
    member = world.client(world.alumni_a)
    for path in (f"comments/{comment.pk}/", f"comments/{comment.pk}/history/"):
        assert member.get(url(world, path)).status_code == 404


def test_a_report_goes_to_the_queue_and_hiding_resolves_it(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.employee_a], 1, text="スパムです")
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    reporter = world.client(world.alumni_a)
    assert (
        reporter.post(url(world, f"comments/{comment.pk}/report/"), {"reason": ""}).status_code
        == 200
    )
    reporter.post(url(world, f"comments/{comment.pk}/report/"), {"reason": "宣伝の書き込みです"})
    world.client(world.supporter_a).post(
        url(world, f"comments/{comment.pk}/report/"), {"reason": "同じく"}
    )
    operator = world.client(world.operator_a)
    queue = operator.get(url(world, "moderation/")).content.decode()
    assert "宣伝の書き込みです" in queue and "スパムです" in queue
    with scopes_disabled():
        report = Report.objects.filter(comment=comment).first()
    assert report is not None
    operator.post(url(world, f"moderation/{report.pk}/"), {"outcome": "hidden"})
    with scopes_disabled():
        comment.refresh_from_db()
        assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert comment.is_hidden
    assert (
        "確認が必要な通報はありません" in operator.get(url(world, "moderation/")).content.decode()
    )


def test_dismissing_a_thread_report_leaves_the_thread(world: World) -> None:
    thread = make_thread(world.alumni_a)
    world.client(world.employee_a).post(
        url(world, f"t/{thread.pk}/report/"), {"reason": "気になる"}
    )
    with scopes_disabled():
        report = Report.objects.get()
    world.client(world.operator_a).post(
        url(world, f"moderation/{report.pk}/"), {"outcome": "dismissed"}
    )
    with scopes_disabled():
        report.refresh_from_db()
        assert not Thread.objects.get().is_hidden
    assert report.outcome == "dismissed" and report.resolved_at is not None


def test_reporting_the_same_post_twice_keeps_one_open_report(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    client.post(url(world, f"t/{thread.pk}/report/"), {"reason": "一回目"})
    client.post(url(world, f"t/{thread.pk}/report/"), {"reason": "二回目"})
    with scopes_disabled():
        assert list(Report.objects.values_list("reason", flat=True)) == ["二回目"]
