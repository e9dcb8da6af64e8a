"""A push service that fails for a while (5xx, or no answer in time) keeps the subscription and
gets the push again later from a real Celery worker; one that says the subscription is gone
(410) gets nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_scopes import scope

from tsunagu.core.testing.mail import TaskLog, task_worker, wait_until
from tsunagu.notify.actions import notify
from tsunagu.push.models import PushSubscription
from tsunagu.push.tests.service import PushService
from tsunagu.testing.world import World

from .helpers import subscribe

pytestmark = pytest.mark.django_db(transaction=True)

ONE_PUSH = "tsunagu.push.tasks.send_push"


@pytest.fixture
def worker() -> Iterator[TaskLog]:
    with task_worker() as log:
        yield log


def mention(world: World) -> None:
    with scope(network=world.net_a):
        notify(
            world.net_a,
            [world.alumni_a.user],
            "talk_mention",
            params={"actor": "佐藤 美咲", "room": "雑談"},
        )


def device(endpoint: str) -> PushSubscription:
    return PushSubscription.objects.get(endpoint=endpoint)


def test_a_push_service_in_trouble_keeps_the_subscription_and_is_tried_again(
    world: World, service: PushService, settings: Any, worker: TaskLog
) -> None:
    settings.TSUNAGU_PUSH_TIMEOUT = 0.5
    client = world.client(world.alumni_a)
    _response, busy_keys = subscribe(client, service.endpoint("busy"))
    _response, slow_keys = subscribe(client, service.endpoint("slow"))
    subscribe(client, service.endpoint("gone"))
    service.answer("busy", 503, times=2)
    service.answer("slow", 201, times=1, delay=2)  # answers after the sender stopped waiting
    service.answer("gone", 410)

    mention(world)

    wait_until(lambda: worker.ended(ONE_PUSH) >= 3, what="every push ended")
    # Tried until the service took it: twice refused, then delivered, once.
    assert [p.headers.get("ttl") for p in service.to("busy")] == ["86400"] * 3
    assert len(service.to("slow")) == 2
    assert busy_keys.decrypt(service.to("busy")[-1])["body"].startswith("佐藤 美咲")
    assert slow_keys.decrypt(service.to("slow")[-1]) == busy_keys.decrypt(service.to("busy")[-1])
    retries = worker.retries_of(ONE_PUSH)
    assert sorted(retries.values()) == [1, 2]
    for name in ("busy", "slow"):
        kept = device(service.endpoint(name))
        assert kept.last_success_at is not None
        assert kept.failures == 0 and kept.last_error == ""
    # The one the service no longer knows was asked once, then forgotten.
    assert len(service.to("gone")) == 1
    assert not PushSubscription.objects.filter(endpoint=service.endpoint("gone")).exists()

    # The next notification goes to the two devices left, first time.
    mention(world)
    wait_until(lambda: worker.ended(ONE_PUSH) >= 5, what="the second round")
    assert (len(service.to("busy")), len(service.to("slow")), len(service.to("gone"))) == (4, 3, 1)


def test_a_push_service_that_stays_down_is_given_up_after_the_last_try(
    world: World, service: PushService
) -> None:
    subscribe(world.client(world.alumni_a), service.endpoint("down"))
    service.answer("down", 500)

    with task_worker(retries=3) as worker:
        mention(world)
        wait_until(lambda: worker.ended(ONE_PUSH) >= 1, what="the push was given up")

    assert len(service.to("down")) == 4  # the first try and three more
    kept = device(service.endpoint("down"))
    assert kept.failures == 4
    assert kept.last_error == "500 Internal Server Error"
    assert kept.last_success_at is None
