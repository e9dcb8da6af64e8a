from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.boards.models import Poll, PollOption, PollVote, Thread
from tsunagu.boards.tests.helpers import make_category
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def url(world: World, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/boards/{path}"


def post_thread(world: World, **poll: Any) -> Any:
    category = make_category(world.net_a, "アンケート")
    data = {
        "category": category.pk,
        "kind": "discussion",
        "title": "忘年会の日程",
        "body": "都合のよい日を選んでください。",
    }
    data |= {f"poll-{key}": value for key, value in poll.items()}
    return world.client(world.operator_a).post(url(world, "new/"), data)


def options(poll: Poll) -> dict[str, int]:
    with scopes_disabled():
        return {o.text: o.pk for o in PollOption.objects.filter(poll=poll)}


def test_a_single_choice_poll_counts_one_vote_per_member(world: World) -> None:
    response = post_thread(
        world, question="いつがよいですか？", options="12月5日\n12月12日\n\n12月19日"
    )
    assert response.status_code == 302
    with scopes_disabled():
        poll = Poll.objects.get()
    ids = options(poll)
    assert list(ids) == ["12月5日", "12月12日", "12月19日"]
    thread_url = url(world, f"t/{poll.thread_id}/")
    voter = world.client(world.alumni_a)
    page = voter.get(thread_url).content.decode()
    assert "いつがよいですか？" in page and 'type="radio"' in page
    voter.post(url(world, f"t/{poll.thread_id}/poll/"), {"option": ids["12月12日"]})
    again = voter.post(
        url(world, f"t/{poll.thread_id}/poll/"), {"option": ids["12月5日"]}, follow=True
    )
    assert "この投票にはすでに回答しています。" in again.content.decode()
    both = world.client(world.employee_a).post(
        url(world, f"t/{poll.thread_id}/poll/"),
        {"option": [ids["12月5日"], ids["12月19日"]]},
        follow=True,
    )
    assert "この投票で選べるのは1つだけです。" in both.content.decode()
    with scopes_disabled():
        poll.refresh_from_db()
        counts = dict(PollOption.objects.values_list("text", "vote_count"))
        assert PollVote.objects.count() == 1
    assert poll.voter_count == 1
    assert counts == {"12月5日": 0, "12月12日": 1, "12月19日": 0}
    results = voter.get(thread_url)
    assert results.context["poll"]["show_results"]
    assert "100%" in results.content.decode()


def test_a_multiple_choice_poll_takes_several_answers(world: World) -> None:
    post_thread(world, question="参加できる日は？", options="土曜\n日曜", multiple="on")
    with scopes_disabled():
        poll = Poll.objects.get()
    ids = options(poll)
    world.client(world.alumni_a).post(
        url(world, f"t/{poll.thread_id}/poll/"), {"option": list(ids.values())}
    )
    with scopes_disabled():
        assert sorted(PollOption.objects.values_list("vote_count", flat=True)) == [1, 1]
        poll.refresh_from_db()
    assert poll.voter_count == 1


def test_voting_after_the_closing_time_is_refused(world: World) -> None:
    post_thread(
        world,
        question="締め切りのある投票",
        options="はい\nいいえ",
        closes_at=(timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    with scopes_disabled():
        poll = Poll.objects.get()
        Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    ids = options(poll)
    response = world.client(world.alumni_a).post(
        url(world, f"t/{poll.thread_id}/poll/"), {"option": ids["はい"]}, follow=True
    )
    assert "この投票は締め切られました。" in response.content.decode()
    with scopes_disabled():
        assert not PollVote.objects.exists()


def test_an_option_of_another_poll_is_refused(world: World) -> None:
    post_thread(world, question="一つ目", options="A\nB")
    with scopes_disabled():
        first = Poll.objects.get()
    post_thread_again = world.client(world.operator_a).post(
        url(world, "new/"),
        {
            "category": first.thread.category_id,
            "kind": "discussion",
            "title": "別",
            "body": "別",
            "poll-question": "二つ目",
            "poll-options": "C\nD",
        },
    )
    assert post_thread_again.status_code == 302
    with scopes_disabled():
        second = Poll.objects.exclude(pk=first.pk).get()
    foreign = options(second)["C"]
    world.client(world.alumni_a).post(url(world, f"t/{first.thread_id}/poll/"), {"option": foreign})
    with scopes_disabled():
        assert not PollVote.objects.exists()


@pytest.mark.parametrize(
    "poll, field",
    [
        ({"question": "質問", "options": "ひとつだけ"}, "options"),
        ({"question": "質問", "options": "\n".join(str(i) for i in range(11))}, "options"),
        ({"question": "", "options": "A\nB"}, "question"),
        ({"question": "質問", "options": "A\n" + "あ" * 101}, "options"),
        ({"question": "質問", "options": "A\nB", "closes_at": "2001-01-01T10:00"}, "closes_at"),
        ({"question": "質問", "options": "A\nB", "closes_at": "明日"}, "closes_at"),
    ],
)
def test_bad_polls_get_field_errors_and_nothing_is_posted(
    world: World, poll: dict[str, str], field: str
) -> None:
    response = post_thread(world, **poll)
    assert response.status_code == 200
    assert field in response.context["poll_form"].errors
    with scopes_disabled():
        assert not Thread.objects.exists()


def test_a_poll_adds_a_fixed_number_of_queries_to_the_thread_page(
    world: World, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tsunagu.core.testing.factories import make_member

    post_thread(world, question="好きな季節は？", options="春\n夏\n秋\n冬")
    with scopes_disabled():
        poll = Poll.objects.get()
    ids = list(options(poll).values())
    path = url(world, f"t/{poll.thread_id}/")
    reader = world.client(world.alumni_a)
    reader.get(path)
    with CaptureQueriesContext(connection) as ctx:
        reader.get(path)
    budget = len(ctx.captured_queries)  # read now: the log is a bounded deque
    for i in range(30):
        voter = make_member(world.net_a, name=f"投票者 {i}")
        world.client(voter).post(url(world, f"t/{poll.thread_id}/poll/"), {"option": ids[i % 4]})
    with django_assert_max_num_queries(budget):
        response = reader.get(path)
    assert response.context["poll"]["poll"].voter_count == 30
