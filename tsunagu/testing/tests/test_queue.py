"""A write that queues mail is kept, and its page answers, while the task queue is unreachable."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.boards.actions import do_create_thread
from tsunagu.boards.models import Comment, ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.mail import _forget_broker
from tsunagu.notify.actions import do_set_email_preference
from tsunagu.notify.models import Notification
from tsunagu.testing.world import World


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens there once the probe closes


@pytest.fixture
def broker_down() -> Iterator[None]:
    from config.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{closed_port()}/0")
    _forget_broker(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_broker(app)


@pytest.mark.django_db(transaction=True)
def test_a_comment_is_kept_and_its_page_answers_while_the_queue_is_down(
    world: World, broker_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    category = make_category(world.net_a, "仕事の相談")
    with scope(network=world.net_a):  # the asker follows their thread, and wants its mail
        do_set_email_preference(world.net_a, world.employee_a.user, "boards_comment", True)
        thread = do_create_thread(
            world.employee_a,
            category=category,
            kind=ThreadKind.CONSULTATION,
            title="補助金の申請について",
            body="経験のある方はいますか？",
        )
    client = world.client(world.alumni_a)
    with caplog.at_level(logging.ERROR, logger="tsunagu.core.queue"):
        response = client.post(
            f"/n/{world.net_a.slug}/boards/t/{thread.pk}/comment/",
            {"body": "昨年申請しました。手順をお伝えします。"},
        )
    assert response.status_code == 302
    with scopes_disabled():
        assert Comment.objects.filter(thread=thread, body__startswith="昨年申請").exists()
    with scope(network=world.net_a):  # the author is told in the app; only the mail waits
        assert Notification.objects.filter(recipient=world.employee_a.user).exists()
    assert "was not queued" in caplog.text
