"""Sending: once per member however the run is interrupted or shared, unsubscribing in one click,
through a real mail server."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts import delivery
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.testing.mail import site_mail_server
from tsunagu.digest import tasks
from tsunagu.digest.mail import unsubscribe_url
from tsunagu.digest.models import DigestPreference, DigestSent, DigestState, Frequency
from tsunagu.digest.prefs import frequency_for
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.tokens import make_token
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import CANARY_A, World

from .helpers import any_hour, run_digests, settled

pytestmark = pytest.mark.usefixtures("any_hour", "settled")
__all__ = ["any_hour", "settled"]


class WorkerDied(BaseException):
    """The worker process ends in the middle of the run (no ``except Exception`` catches it)."""


def crowd(world: World, count: int) -> list[Membership]:
    return [
        make_member(world.net_a, make_user(email=f"kaiin{i:03d}@example.jp", name=f"会員 {i:03d}"))
        for i in range(count)
    ]


def test_a_run_restarted_after_a_crash_sends_no_one_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = crowd(world, 30)
    make_event(world.net_a, title="秋の交流会")
    real_send = delivery.Sender.send
    calls = {"n": 0}

    def dies_at_the_tenth(sender: delivery.Sender, message: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 10:
            raise WorkerDied
        real_send(sender, message)

    monkeypatch.setattr(delivery.Sender, "send", dies_at_the_tenth)
    with pytest.raises(WorkerDied):
        run_digests(world.net_a)
    assert len(mail.outbox) == 9

    # The broker hands the run to another worker; beat runs again an hour later.
    monkeypatch.setattr(delivery.Sender, "send", real_send)
    run_digests(world.net_a)
    run_digests(world.net_a)
    everyone = {m.user.email for m in members} | {
        m.user.email
        for m in (world.operator_a, world.supporter_a, world.employee_a, world.alumni_a)
    }
    sent = Counter(m.to[0] for m in mail.outbox)
    assert max(sent.values()) == 1
    # The dead worker had claimed twenty (tasks.CLAIMED_TOGETHER) and sent nine: the other
    # eleven, the one it was sending among them, wait until their claims expire.
    assert len(sent) == len(everyone) - 11
    with scopes_disabled():
        DigestSent.objects.filter(state=DigestState.PENDING).update(
            sending_since=timezone.now() - timedelta(minutes=16)
        )
    run_digests(world.net_a)
    sent = Counter(m.to[0] for m in mail.outbox)
    assert set(sent) == everyone and set(sent.values()) == {1}


def test_a_chunk_delivered_twice_sends_once(world: World) -> None:
    crowd(world, 5)
    make_event(world.net_a, title="秋の交流会")
    with scopes_disabled():
        ids = list(Membership.objects.filter(network=world.net_a).values_list("user_id", flat=True))
    tasks.send_digest_chunk(world.net_a.pk, ids)
    tasks.send_digest_chunk(world.net_a.pk, ids)
    sent = Counter(m.to[0] for m in mail.outbox)
    assert len(sent) == 9 and set(sent.values()) == {1}


@pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="workers racing for the same rows need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_workers_sharing_the_same_chunk_send_each_digest_once(world: World) -> None:
    members = crowd(world, 40)
    make_event(world.net_a, title="秋の交流会")
    with scopes_disabled():
        Membership.objects.update(created_at=timezone.now() - timedelta(days=60))
    ids = [m.user_id for m in members]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(order: list[int]) -> None:
        try:
            start.wait()
            tasks.send_digest_chunk(world.net_a.pk, order)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    orders = [ids, ids[::-1], ids[10:] + ids[:10], ids[20:] + ids[:20]]
    threads = [threading.Thread(target=worker, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent = Counter(m.to[0] for m in mail.outbox)
    assert len(sent) == 40 and set(sent.values()) == {1}


def test_one_click_unsubscribe_without_login(world: World) -> None:
    make_event(world.net_a, title="秋の交流会")
    run_digests(world.net_a)
    [message] = [m for m in mail.outbox if m.to == [world.alumni_a.user.email]]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix("http://testserver")
    anonymous = world.client(None)

    page = anonymous.get(path)
    assert page.status_code == 200
    with scope(network=world.net_a):
        assert frequency_for(world.alumni_a) == Frequency.MONTHLY  # looking stops nothing
    answer = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    with scope(network=world.net_a):
        assert frequency_for(world.alumni_a) == Frequency.OFF
        # Only the digest stopped, and only in this network.
        assert DigestPreference.objects.filter(user=world.alumni_a.user).count() == 1


def test_an_unsubscribe_token_for_another_network_or_kind_is_refused(world: World) -> None:
    anonymous = world.client(None)
    alumni = world.alumni_a
    with scope(network=world.net_a):
        b_token = unsubscribe_url(world.net_b, alumni.user_id).rsplit("/", 2)[-2]
    other_kind = make_token(alumni.user_id, world.net_a.pk, "announcement")
    for token in (b_token, other_kind, "not-a-token", b_token[:-2] + "xx"):
        answer = anonymous.post(f"/n/{world.net_a.slug}/digest/unsubscribe/{token}/")
        assert answer.status_code == 400
        assert CANARY_A not in answer.content.decode()
    # A notification's unsubscribe page refuses a digest token as well.
    digest_token = unsubscribe_url(world.net_a, alumni.user_id).rsplit("/", 2)[-2]
    answer = anonymous.post(f"/n/{world.net_a.slug}/unsubscribe/{digest_token}/")
    assert answer.status_code == 400
    with scopes_disabled():
        assert not DigestPreference.objects.exists()


def test_a_real_mail_server_receives_the_digest_with_its_unsubscribe_headers(
    world: World, settings: Any
) -> None:
    make_event(world.net_a, title="秋の交流会")
    with site_mail_server(settings) as server:
        server.start()
        run_digests(world.net_a)
        assert sum(server.delivered().values()) == 4
        [(_to, message)] = [
            (to, m) for to, m in server.received if to == [world.alumni_a.user.email]
        ]
    assert "秋の交流会" in message.get_body(("plain",)).get_content()
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith(f"{settings.SITE_URL}/n/{world.net_a.slug}/digest/unsubscribe/")
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    answer = world.client(None).post(link.removeprefix(settings.SITE_URL))
    assert answer.status_code == 200
    with scope(network=world.net_a):
        assert frequency_for(world.alumni_a) == Frequency.OFF


def test_a_mail_server_that_is_down_gets_the_digest_later(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_event(world.net_a, title="秋の交流会")
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.retry_digest, "apply_async", lambda args, countdown: queued.append(args)
    )
    with site_mail_server(settings) as server:
        run_digests(world.net_a)  # the server is down: each digest waits for its retry
        assert server.received == [] and len(queued) == 4
        with scopes_disabled():
            waiting = DigestSent.objects.filter(state=DigestState.PENDING)
            assert waiting.count() == 4 and all(w.error for w in waiting)
            row_ids = list(waiting.values_list("pk", flat=True))
        server.start()
        assert sorted(row for _net, row in queued) == sorted(row_ids)
        for network_id, row_id in queued:
            tasks.retry_digest(network_id, row_id)
        assert sum(server.delivered().values()) == 4
        run_digests(world.net_a)
        assert sum(server.delivered().values()) == 4


def test_an_address_the_provider_reported_as_bounced_gets_no_digest(
    world: World, settings: Any
) -> None:
    settings.BOUNCE_WEBHOOK_SECRET = "bounce-secret-for-the-digest-test"
    bounced = world.alumni_a.user.email
    answer = world.client(None).post(
        "/mail/bounces/",
        {"bounces": [{"email": bounced, "type": "permanent", "reason": "550 5.1.1 unknown"}]},
        content_type="application/json",
        headers={"Authorization": "Bearer bounce-secret-for-the-digest-test"},
    )
    assert answer.status_code == 200 and answer.json()["marked"] == 1
    make_event(world.net_a, title="秋の交流会")
    run_digests(world.net_a)
    sent = Counter(m.to[0] for m in mail.outbox)
    assert bounced not in sent
    assert len(sent) == 3 and set(sent.values()) == {1}
    with scopes_disabled():
        row = DigestSent.objects.get(user=world.alumni_a.user)
    assert row.state == DigestState.FAILED and "550 5.1.1 unknown" in row.error
