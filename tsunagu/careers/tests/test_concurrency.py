"""Twenty clicks of one applicant at once make one answer (real PostgreSQL: the unique
constraint under concurrent transactions is what is tested)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from tsunagu.careers import actions
from tsunagu.careers.models import Application, Opportunity
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.tenancy.models import Role

from .helpers import make_opportunity

CLICKS = 20


@pytest.fixture
def postgres_transactional(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of `make test`")


def click_all_at_once(member: Any, opportunity: Opportunity) -> tuple[int, list[BaseException]]:
    barrier = threading.Barrier(CLICKS)
    made: list[Application] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            barrier.wait()
            with scope(network=member.network):
                made.append(actions.do_answer(member, opportunity, mode="interest"))
        except actions.AlreadyAnswered:
            pass  # what the other clicks are told
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return len(made), errors


@pytest.mark.postgres
def test_twenty_concurrent_clicks_make_one_answer(postgres_transactional: None) -> None:
    network = make_network(slug="careers-clicks", name="同時クリック テスト")
    poster = make_member(network, make_user(name="採用 担当"), role=Role.EMPLOYEE)
    applicant = make_member(network, make_user(name="応募 花子"), role=Role.ALUMNI)
    opportunity = make_opportunity(poster)
    made, errors = click_all_at_once(applicant, opportunity)
    assert not errors, errors
    assert made == 1
    with scopes_disabled():
        assert Application.objects.filter(opportunity=opportunity).count() == 1
        assert Opportunity.objects.get(pk=opportunity.pk).answer_count == 1


@pytest.mark.postgres
def test_without_the_constraint_the_same_clicks_make_several(
    postgres_transactional: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves the test above can fail: with the constraint dropped, the check-then-insert races."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE careers_application DROP CONSTRAINT careers_one_answer_per_member"
        )
    real_save = Application.save

    def slow_save(self: Application, *args: Any, **kwargs: Any) -> None:
        import time

        time.sleep(0.05)  # widens the window between the check and the insert
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Application, "save", slow_save)
    network = make_network(slug="careers-clicks-b", name="同時クリック テスト2")
    poster = make_member(network, make_user(name="採用 担当"), role=Role.EMPLOYEE)
    applicant = make_member(network, make_user(name="応募 花子"), role=Role.ALUMNI)
    opportunity = make_opportunity(poster)
    try:
        made, _errors = click_all_at_once(applicant, opportunity)
        assert made > 1
    finally:  # the constraint back, for the tests that run after this one
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM careers_application")
            cursor.execute(
                "ALTER TABLE careers_application ADD CONSTRAINT careers_one_answer_per_member"
                " UNIQUE (opportunity_id, member_id)"
            )
