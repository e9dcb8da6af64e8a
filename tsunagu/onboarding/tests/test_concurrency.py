"""A link with a use limit shared in a busy LINE group, on real PostgreSQL: row locks decide."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_network, make_user
from tsunagu.onboarding import actions, hook
from tsunagu.onboarding.models import Invitation, InviteLink
from tsunagu.tenancy.models import Membership

PEOPLE = 8
USES = 3


@pytest.fixture
def postgres_transactional(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of `make test`")


@pytest.mark.postgres
def test_a_link_admits_no_more_people_than_its_limit_when_they_come_at_once(
    postgres_transactional: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = actions.link_problem

    def slow(link: InviteLink) -> str | None:
        problem = real(link)
        time.sleep(0.05)  # widens the window between checking the count and counting the use
        return problem

    monkeypatch.setattr(actions, "link_problem", slow)
    network = make_network(slug="line-group", name="同期 LINE グループ")
    with scopes_disabled():
        link = InviteLink.objects.create(network=network, label="2015年入社", max_uses=USES)
    users = [make_user(name=f"同期 {i}") for i in range(PEOPLE)]
    barrier = threading.Barrier(PEOPLE)
    refused: list[str] = []
    errors: list[BaseException] = []

    def accept(user) -> None:
        try:
            barrier.wait()
            with scope(network=network):
                actions.do_accept_link(user, link)
        except ValidationError as error:
            refused.extend(error.messages)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    with scopes_disabled():
        assert Membership.objects.filter(network=network).count() == USES
        assert InviteLink.objects.get(pk=link.pk).uses == USES
    assert len(refused) == PEOPLE - USES


@pytest.mark.postgres
def test_the_hr_system_retrying_a_leaver_at_once_gets_one_invitation_and_no_error(
    postgres_transactional: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = actions.member_emails

    def slow(network_id: int) -> set[str]:
        emails = real(network_id)
        time.sleep(0.05)  # both calls look for the leaver before either has inserted them
        return emails

    monkeypatch.setattr(hook, "member_emails", slow)
    network = make_network(slug="hr-retry", name="人事連携")
    leaver = {"email": "leaver@example.jp", "name": "退職 太郎", "left_on": "2031-03-31"}
    calls = 2
    barrier = threading.Barrier(calls)
    created: list[bool] = []
    errors: list[BaseException] = []

    def receive() -> None:
        try:
            barrier.wait()
            with scope(network=network):
                created.append(hook.receive_one(network, dict(leaver))["created"])
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive) for _ in range(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(created) == [False, True]
    with scopes_disabled():
        assert Invitation.objects.filter(network=network, email="leaver@example.jp").count() == 1
