"""Double submits at the same moment (a double click, two tabs) on real PostgreSQL: one response,
one participation, and the answers of one of the submits."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.surveys.actions import Given, do_submit_response
from tsunagu.surveys.keys import new_token
from tsunagu.surveys.models import Answer, Kind, Participation, Pending, Response
from tsunagu.surveys.tests.helpers import add_question, choice_ids, make_survey

SUBMITS = 8


@pytest.fixture
def postgres_transactional(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of `make test`")


def submit_all_at_once(network, survey, member, givens, tokens=()) -> list[BaseException]:
    barrier = threading.Barrier(len(givens))
    errors: list[BaseException] = []

    def submit(given) -> None:
        try:
            barrier.wait()
            with scope(network=network):
                do_submit_response(member, survey, given, edit_tokens=tokens)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(g,)) for g in givens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.parametrize("anonymity", ["named", "anonymous"])
def test_simultaneous_submits_of_one_member_make_one_response(
    postgres_transactional: None, anonymity: str
) -> None:
    network = make_network(slug=f"doubles-{anonymity}", name="同時送信 テスト")
    member = make_member(network, make_user(name="二重 送信"))
    survey = make_survey(network, anonymity=anonymity)
    question = add_question(survey, "満足度", Kind.SINGLE, ("満足", "普通", "不満"))
    comment = add_question(survey, "ひとこと", Kind.SHORT)
    options = choice_ids(question)
    givens = [
        {question.pk: Given(choice_ids=[options[n % 3]]), comment.pk: Given(text=f"送信{n}")}
        for n in range(SUBMITS)
    ]
    # A double click sends the same form twice: an anonymous one carries the same edit token.
    errors = submit_all_at_once(network, survey, member, givens, tokens=(new_token(),))
    assert errors == []
    with scopes_disabled():
        assert Participation.objects.filter(survey=survey).count() == 1
        if anonymity == "anonymous":
            # One answer waits for its batch (fewer than five people have answered).
            [entry] = Pending.objects.filter(survey=survey)
            texts = [row[6] for row in entry.payload["answers"] if row[0] == comment.pk]
            chosen = [row[2] for row in entry.payload["answers"] if row[0] == question.pk]
        else:
            assert Response.objects.filter(survey=survey).count() == 1
            texts = list(Answer.objects.filter(question=comment).values_list("text", flat=True))
            chosen = list(
                Answer.objects.filter(question=question).values_list("choice_id", flat=True)
            )
    # One submit's answers, whole: never a mixture of two or a doubled answer.
    assert len(texts) == 1 and len(chosen) == 1
    n = int(texts[0].removeprefix("送信"))
    assert chosen == [options[n % 3]]


def test_many_members_answer_at_once_and_each_is_counted(postgres_transactional: None) -> None:
    network = make_network(slug="many-at-once", name="一斉回答 テスト")
    survey = make_survey(network, anonymity="anonymous")
    question = add_question(survey, "満足度", Kind.SCALE)
    members = [make_member(network, make_user(name=f"回答者 {n}")) for n in range(SUBMITS)]
    barrier = threading.Barrier(SUBMITS)
    errors: list[BaseException] = []

    def answer(member) -> None:
        try:
            barrier.wait()
            with scope(network=network):
                do_submit_response(member, survey, {question.pk: Given(number=4)})
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with scopes_disabled():
        # Each batch queued after an answer writes five or more: all eight are there, or
        # three wait for more answers.
        written = Response.objects.filter(survey=survey).count()
        assert written + Pending.objects.filter(survey=survey).count() == SUBMITS
        assert written in (0, 5, 6, 7, 8)
        assert Participation.objects.filter(survey=survey).count() == SUBMITS
