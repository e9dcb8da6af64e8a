"""Comment numbers under concurrent posting: PostgreSQL's row lock makes them unique and gapless."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django_scopes import scope, scopes_disabled

from tsunagu.boards.actions import do_add_comment
from tsunagu.boards.models import Comment
from tsunagu.boards.tests.helpers import make_thread
from tsunagu.testing.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_comments_posted_at_once_get_distinct_numbers(postgres_only: None) -> None:
    world: World = build_world()
    thread = make_thread(world.alumni_a)
    members = [world.alumni_a, world.employee_a, world.supporter_a, world.operator_a] * 2
    barrier = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def post(member: object) -> None:
        try:
            barrier.wait(timeout=10)
            with scope(network=world.net_a):
                do_add_comment(member, thread, body="同時に投稿")  # type: ignore[arg-type]
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=post, args=(m,)) for m in members]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors
    with scopes_disabled():
        numbers = sorted(Comment.objects.filter(thread=thread).values_list("number", flat=True))
        thread.refresh_from_db()
    assert numbers == list(range(1, len(members) + 1))
    assert (thread.comment_seq, thread.comment_count) == (len(members), len(members))
