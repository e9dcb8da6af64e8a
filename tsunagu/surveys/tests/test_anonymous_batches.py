"""Anonymous answers are written in batches of at least five, without their member: nothing in the
database pairs an answer with the member who gave it better than "one of these five"; the
figures move by whole batches; a member changes their answers through their edit token, on this
device or through the link; a closed survey does not open again; figures that are hidden cannot
be worked out from the others; an erased member's answer stays as anonymous data."""

from __future__ import annotations

import datetime
import hashlib
import random
import re
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.privacy.erasure import erase_account
from tsunagu.privacy.models import Erasure
from tsunagu.profiles.actions import profile_of
from tsunagu.surveys import tally
from tsunagu.surveys.actions import Given, do_submit_response
from tsunagu.surveys.models import (
    Answer,
    GroupTally,
    Kind,
    Participation,
    Pending,
    Response,
    Survey,
    Tally,
)
from tsunagu.surveys.tests.helpers import add_question, choice_ids, make_survey
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.each_database


def run_on_commit():  # noqa: ANN201
    return TestCase.captureOnCommitCallbacks(execute=True)


def alumnus(world: World, name: str, department: str = "", year: int | None = None):
    member = make_member(world.net_a, make_user(name=name), role=Role.ALUMNI)
    with scopes_disabled():
        profile = profile_of(member)
        profile.last_department = department
        profile.left_on = datetime.date(year, 3, 31) if year else None
        profile.save()
    return member


def survey_with_comment(world: World) -> tuple[Survey, dict]:
    survey = make_survey(world.net_a, anonymity="anonymous", title="匿名の職場アンケート")
    return survey, {
        "single": add_question(survey, "満足度", Kind.SINGLE, ("満足", "不満")),
        "long": add_question(survey, "本音をどうぞ", Kind.LONG),
    }


def base(world: World, survey: Survey) -> str:
    return f"/n/{world.net_a.slug}/surveys/{survey.pk}/"


def post_answer(world: World, client, survey: Survey, questions: dict, text: str, pick: int = 0):
    """Opens the form and sends it (with the token the form carries), as a browser does."""
    page = client.get(base(world, survey))
    data = {
        f"q{questions['single'].pk}": str(choice_ids(questions["single"])[pick]),
        f"q{questions['long'].pk}": text,
    }
    if page.context and page.context.get("new_token"):
        data["edit_token"] = page.context["new_token"]
    with run_on_commit():
        return client.post(base(world, survey), data)


def close(survey: Survey) -> None:
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))


def texts_by_response(survey: Survey, question) -> dict[str, str]:
    with scopes_disabled():
        return {
            str(response_id): text
            for response_id, text in Answer.objects.filter(question=question).values_list(
                "response_id", "text"
            )
        }


# --- The database -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_database_rows_of_anonymous_answers_cannot_be_joined_to_their_members(
    world: World,
) -> None:
    """Twelve members answer, in random order, each with their own transaction (as on the
    site). Whoever reads the database, the participations (who answered, in order) and the
    profiles then tries every way of pairing them with the answers: the order the rows lie in
    (SQLite's rowid, PostgreSQL's ctid), the transaction that wrote them (PostgreSQL's xmin),
    the groups counted. None does better than "one of a batch of at least five"."""
    survey, questions = survey_with_comment(world)
    members = (
        [alumnus(world, f"営業 {n}", "営業部", 2019) for n in range(6)]
        + [alumnus(world, f"企画 {n}", "企画部", 2020) for n in range(5)]
        # The one alumna of 2015 in 人事部: her groups are too small to count apart.
        + [alumnus(world, "人事 花子", "人事部", 2015)]
    )
    order = list(range(len(members)))
    random.shuffle(order)
    truth: dict[str, int] = {}  # the secret text of each member's answer → the member
    for n in order:
        text = f"本音-{n}-{uuid.uuid4().hex[:6]}"
        truth[text] = members[n].user_id
        response = post_answer(world, world.client(members[n]), survey, questions, text, n % 2)
        assert response.status_code == 200, response.content.decode()[-1500:]
    with scopes_disabled():
        # Two batches of five are written; two answers wait, with no member and folded groups.
        assert Response.objects.filter(survey=survey).count() == 10
        waiting = list(Pending.objects.filter(survey=survey))
        assert len(waiting) == 2
        for entry in waiting:
            assert set(entry.payload) == {"answers", "groups", "sealed"}
            assert not {"人事部", "2015"} & set(entry.payload["groups"].values())
    assert {f.name for f in Pending._meta.concrete_fields} == {
        "id", "network", "survey", "edit_key", "replaces", "payload",
    }  # fmt: skip
    close(survey)
    # The office opens the results: what waited is written with the previous batch.
    page = world.client(world.operator_a).get(base(world, survey) + "results/")
    assert "12人が回答" in page.content.decode()

    answer_of = {
        rid: truth[text] for rid, text in texts_by_response(survey, questions["long"]).items()
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id::text, xmin::text, batch FROM surveys_response WHERE survey_id = %s"
                " ORDER BY ctid",
                [survey.pk],
            )
            responses = [(rid.replace("-", ""), xmin, batch) for rid, xmin, batch in cursor]
            cursor.execute(
                "SELECT user_id, xmin::text FROM surveys_participation WHERE survey_id = %s"
                " ORDER BY id",
                [survey.pk],
            )
            participations = list(cursor)
        else:
            cursor.execute(
                "SELECT id, rowid, batch FROM surveys_response WHERE survey_id = %s ORDER BY rowid",
                [survey.pk],
            )
            responses = [(rid, None, batch) for rid, _rowid, batch in cursor]
            cursor.execute(
                "SELECT user_id, NULL FROM surveys_participation WHERE survey_id = %s ORDER BY id",
                [survey.pk],
            )
            participations = list(cursor)
    answer_of = {k.replace("-", ""): v for k, v in answer_of.items()}
    assert len(responses) == len(participations) == 12
    # Rows written together: by the same transaction, or of the same batch. Every such group
    # holds at least five answers, so each answer is "one of at least five".
    together: dict[object, set[str]] = defaultdict(set)
    for rid, xmin, batch in responses:
        together[("batch", batch)].add(rid)
        if xmin:
            together[("xmin", xmin)].add(rid)
    assert all(len(rows) >= 5 for rows in together.values()), together
    if connection.vendor == "postgresql":
        xmins = {xmin for _rid, xmin, _batch in responses}
        assert len(xmins) == 2  # one transaction per batch
        # No answer shares its transaction with a participation, nor follows one alone.
        assert not xmins & {xmin for _user, xmin in participations}
    # Pairing in order (the n-th participation with the n-th row) does not give the answers.
    paired = sum(
        answer_of[rid] == user_id
        for (rid, _x, _b), (user_id, _y) in zip(responses, participations, strict=True)
    )
    assert paired < len(responses)
    # Within a batch the rows lie in no order of answering: the members of each batch are
    # known (who answered before it was written), their answers are not told apart.
    for rows in together.values():
        assert len({answer_of[rid] for rid in rows}) == len(rows) >= 5
    # Nothing stored beside an answer names a member or a time.
    with scopes_disabled():
        stored = list(Response.objects.filter(survey=survey).values())
    for row in stored:
        assert row["user_id"] is None and row["submitted_at"] is None
        assert (row["role"], row["left_year"], row["department"]) == ("", None, "")
        assert row["id"].version == 4
        for user_id in truth.values():
            assert row["edit_key"] != hashlib.sha256(f"{survey.pk}:{user_id}".encode()).hexdigest()
            assert str(user_id) not in {row["edit_key"], row["sealed"]}
    assert {f.name for f in Participation._meta.concrete_fields} == {
        "id", "network", "survey", "user",
    }  # fmt: skip
    # The group counts: no group is about fewer than five respondents, and the one of 人事部
    # (or of 2015) is nowhere.
    with scopes_disabled():
        people = GroupTally.objects.filter(survey=survey, question__isnull=True, key="people")
        assert all(n >= 5 for n in people.values_list("count", flat=True))
        assert not GroupTally.objects.filter(survey=survey, group__in=["人事部", "2015"]).exists()
        assert not Pending.objects.filter(survey=survey).exists()


# --- The figures ---------------------------------------------------------------------------------


def results_html(world: World, survey: Survey) -> str:
    cache.clear()  # computed afresh from the database, not the cached page
    return (
        world.client(world.operator_a).get(base(world, survey) + "results/").context["results_html"]
    )


def export(world: World, survey: Survey) -> bytes:
    return world.client(world.operator_a).get(base(world, survey) + "answers.csv").content


@pytest.mark.django_db
def test_the_results_and_the_export_move_by_whole_batches_never_by_one_answer(
    world: World,
) -> None:
    survey, questions = survey_with_comment(world)
    members = [alumnus(world, f"回答者 {n}") for n in range(9)]
    clients = [world.client(m) for m in members]
    for n in range(4):
        post_answer(world, clients[n], survey, questions, f"意見{n}")
    assert "回答者が5人未満のため" in results_html(world, survey)
    post_answer(world, clients[4], survey, questions, "意見4")
    before, exported = results_html(world, survey), export(world, survey)
    assert "5人が回答" in before and "意見4" in before
    # One more answer, and one member's change of theirs: nothing moves.
    post_answer(world, clients[5], survey, questions, "意見5")
    assert results_html(world, survey) == before and export(world, survey) == exported
    post_answer(world, clients[0], survey, questions, "意見0を書き直し", pick=1)
    assert results_html(world, survey) == before and export(world, survey) == exported
    with scopes_disabled():
        assert Pending.objects.filter(survey=survey, replaces=True).count() == 1
    # Three more: with the change, five wait, and they are written together.
    for n in range(6, 9):
        post_answer(world, clients[n], survey, questions, f"意見{n}")
    after = results_html(world, survey)
    assert after != before
    assert "9人が回答" in after and "意見0を書き直し" in after
    assert not re.search("意見0(?!を)", after)
    assert export(world, survey).decode("utf-8-sig").count("意見") == 9
    # The running counts equal a count from scratch.
    with scopes_disabled():
        kept = sorted(
            Tally.objects.filter(survey=survey, count__gt=0).values_list(
                "question_id", "key", "count"
            )
        )
        tally.rebuild(Survey.objects.get(pk=survey.pk))
        assert kept == sorted(
            Tally.objects.filter(survey=survey, count__gt=0).values_list(
                "question_id", "key", "count"
            )
        )


# --- Changing one's answers ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_changes_their_answers_with_the_token_on_this_device_or_through_the_link(
    world: World,
) -> None:
    survey, questions = survey_with_comment(world)
    me = world.alumni_a
    phone = world.client(me)
    url = base(world, survey)
    page = phone.get(url)
    token = page.context["new_token"]
    data = {
        f"q{questions['single'].pk}": str(choice_ids(questions["single"])[0]),
        f"q{questions['long'].pk}": "最初の回答",
        "edit_token": token,
    }
    with run_on_commit():
        sent = phone.post(url, data)
    body = sent.content.decode()
    # Thanked, and shown once the link to keep; the token is kept in a signed, HttpOnly cookie
    # sent only to this survey's pages.
    assert sent.status_code == 200 and "ご回答ありがとうございました" in body
    assert '<label for="edit-link">' in body
    link = re.search(r'id="edit-link" type="text" readonly value="([^"]+)"', body).group(1)
    assert link.endswith(url + "mine/#" + token)
    cookie = sent.cookies["tsunagu_survey_edit"]
    assert cookie["httponly"] and cookie["path"] == url and token in cookie.value
    assert token != cookie.value  # signed
    # A double submit of the same form (another tab, before the cookie came back) changes the
    # one answer.
    other_tab = world.client(me)
    with run_on_commit():
        twice = other_tab.post(url, data | {f"q{questions['long'].pk}": "二度押し"})
    assert twice.status_code == 302
    with scopes_disabled():
        assert Pending.objects.filter(survey=survey).count() == 1
        assert Participation.objects.filter(survey=survey).count() == 1
    # Back on this device: the answers, to change.
    again = phone.get(url).content.decode()
    assert "回答済みです" in again and "二度押し" in again
    with run_on_commit():
        changed = phone.post(url, data | {f"q{questions['long'].pk}": "スマホで修正"}, follow=True)
    assert [m.level_tag for m in changed.context["messages"]] == ["success"]
    # Another device, without the token: told they have answered, no form, a send is refused.
    laptop = world.client(me)
    seen = laptop.get(url)
    assert seen.context["locked"] and 'class="stack survey-form"' not in seen.content.decode()
    assert "スマホで修正" not in seen.content.decode()
    no_token = {k: v for k, v in data.items() if k != "edit_token"}
    refused = laptop.post(url, no_token | {f"q{questions['long'].pk}": "PCから上書き"}, follow=True)
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert refused.context["locked"]
    # A wrong link is refused, the right one opens the answers on this device.
    mine = url + "mine/"
    wrong = laptop.post(mine, {"token": link[: -len(token)] + "x" * 43})
    assert wrong.status_code == 400 and wrong.context["form"].errors["token"]
    assert laptop.post(mine, {"token": "だめ"}).status_code == 400
    # Another member holding the link opens nothing: they have not answered.
    stranger = world.client(world.employee_a)
    assert stranger.post(mine, {"token": link}).status_code == 400
    opened = laptop.post(mine, {"token": link})
    assert opened.status_code == 302 and opened.url == url
    assert "スマホで修正" in laptop.get(url).content.decode()
    with run_on_commit():
        laptop.post(url, no_token | {f"q{questions['long'].pk}": "PCで修正"})
    with scopes_disabled():
        [entry] = Pending.objects.filter(survey=survey)
        assert "PCで修正" in str(entry.payload) and "PCから上書き" not in str(entry.payload)
    # Once written (four more answers make a batch), a change waits for the next batch.
    for n in range(4):
        post_answer(world, world.client(alumnus(world, f"同期 {n}")), survey, questions, f"他{n}")
    with run_on_commit():
        laptop.post(url, no_token | {f"q{questions['long'].pk}": "書かれた後の修正"})
    with scopes_disabled():
        assert Pending.objects.get(survey=survey).replaces
        assert "PCで修正" in texts_by_response(survey, questions["long"]).values()
    assert "書かれた後の修正" in laptop.get(url).content.decode()
    # It closes: the change is written, still one response of the member.
    close(survey)
    results = world.client(world.operator_a).get(url + "results/").content.decode()
    assert "5人が回答" in results and "書かれた後の修正" in results
    with scopes_disabled():
        assert "PCで修正" not in texts_by_response(survey, questions["long"]).values()
        assert Response.objects.filter(survey=survey).count() == 5


@pytest.mark.django_db
def test_a_closed_survey_cannot_be_opened_again_by_moving_its_closing_time(world: World) -> None:
    survey, questions = survey_with_comment(world)
    edit = base(world, survey) + "edit/"
    operator = world.client(world.operator_a)
    form = operator.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.pop("event", None)
    data["results_for_respondents"] = ""

    def with_closing(closes_at) -> dict:
        with timezone.override(datetime.timezone(timedelta(hours=9))):
            stamp = timezone.localtime(closes_at).strftime("%Y-%m-%dT%H:%M")
            opens = timezone.localtime(survey.opens_at).strftime("%Y-%m-%dT%H:%M")
        return data | {"opens_at": opens, "closes_at": stamp}

    # While open, the closing time may move later.
    later = timezone.now() + timedelta(days=30)
    assert operator.post(edit, with_closing(later)).status_code == 302
    close(survey)
    with scopes_disabled():
        closed_at = Survey.objects.get(pk=survey.pk).closes_at
    refused = operator.post(edit, with_closing(timezone.now() + timedelta(days=7)))
    assert refused.status_code == 400
    assert refused.context["form"].errors["closes_at"]
    with scopes_disabled():
        assert Survey.objects.get(pk=survey.pk).closes_at == closed_at
        assert not Survey.objects.get(pk=survey.pk).is_open


@pytest.mark.django_db
def test_beat_writes_what_waits_in_a_closed_survey_once(world: World, settings) -> None:
    from tsunagu.surveys.tasks import write_closed_batches

    assert any(
        e["task"] == "tsunagu.surveys.tasks.write_closed_batches"
        for e in settings.CELERY_BEAT_SCHEDULE.values()
    )
    survey, questions = survey_with_comment(world)
    for n in range(3):
        answer_directly(
            alumnus(world, f"少数 {n}"), survey, {questions["long"].pk: Given(text="声")}
        )
    with scopes_disabled():
        assert write_closed_batches() == 0  # still open: three wait for more
        assert Pending.objects.filter(survey=survey).count() == 3
    close(survey)
    with run_on_commit():
        assert write_closed_batches() == 3
    with scopes_disabled():
        assert Response.objects.filter(survey=survey).count() == 3
        assert not Pending.objects.exists()
        assert Survey.objects.get(pk=survey.pk).final_batch_written
    assert write_closed_batches() == 0
    # Fewer than five in all: the results stay hidden.
    assert "回答者が5人未満のため" in results_html(world, survey)


# --- Hidden figures stay hidden -------------------------------------------------------------------


def answer_directly(member, survey: Survey, given: dict) -> None:
    with run_on_commit(), scope(network=survey.network):
        do_submit_response(member, survey, given)


@pytest.mark.django_db
def test_the_average_and_the_nps_are_hidden_while_any_of_their_counts_is(world: World) -> None:
    anonymous = make_survey(world.net_a, anonymity="anonymous", title="匿名")
    named = make_survey(world.net_a, title="記名")
    scales = {s.pk: add_question(s, "情報発信の頻度", Kind.SCALE) for s in (anonymous, named)}
    nps = {s.pk: add_question(s, "勧めたいですか", Kind.NPS) for s in (anonymous, named)}
    for n in range(10):
        member = alumnus(world, f"採点者 {n}")
        for survey in (anonymous, named):
            # Five chose 4 and five chose 5: 1, 2 and 3 are hidden counts (zero).
            given = {
                scales[survey.pk].pk: Given(number=4 + n % 2),
                nps[survey.pk].pk: Given(number=9 + n % 2),
            }
            answer_directly(member, survey, given)
    hidden = results_html(world, anonymous)
    assert "10人が回答" in hidden
    # 4.5 and NPS 100 with 1–3 hidden would tell that nobody chose them.
    assert "平均" not in hidden and "NPS" not in hidden
    shown = results_html(world, named)
    assert "平均4.5" in shown and "NPS 100.0" in shown


@pytest.mark.django_db
def test_a_hidden_cell_of_a_cross_tab_cannot_be_worked_out_from_the_main_results(
    world: World,
) -> None:
    """Two departments of six answer a multiple choice. 人事 ticked 交流会 twice: hidden. The
    main results show 交流会 7 times, 総務 ticked it 5 times: 7 − 5 would give the 2 away, so
    総務's 5 is hidden as well."""
    survey = make_survey(world.net_a, anonymity="anonymous", title="企画の希望")
    wishes = add_question(survey, "参加したい企画", Kind.MULTIPLE, ("勉強会", "交流会"))
    study, party = choice_ids(wishes)
    personnel = [alumnus(world, f"人事 {n}", "人事部", 2018) for n in range(6)]
    general = [alumnus(world, f"総務 {n}", "総務部", 2018) for n in range(6)]
    for n in range(6):
        picked = [study, party] if n < 2 else [study]
        answer_directly(personnel[n], survey, {wishes.pk: Given(choice_ids=picked)})
        picked = [study, party] if n < 5 else [study]
        answer_directly(general[n], survey, {wishes.pk: Given(choice_ids=picked)})
    close(survey)
    operator = world.client(world.operator_a)
    main = operator.get(base(world, survey) + "results/").content.decode()
    assert '<th scope="row">交流会</th><td class="num">7</td>' in main
    page = operator.get(base(world, survey) + "crosstab/?by=department")
    [table] = page.context["tables"]
    rows = {label: cells for label, _people, cells in table["groups"]}
    assert rows["人事部"] == [6, None] and rows["総務部"] == [6, None]


@pytest.mark.django_db
def test_an_erased_members_anonymous_answer_stays_counted_and_only_their_participation_goes(
    world: World,
) -> None:
    survey, questions = survey_with_comment(world)
    named = make_survey(world.net_a, title="記名の調査")
    named_question = add_question(named, "ひとこと", Kind.SHORT)
    leaving = world.alumni_a
    staying = [alumnus(world, f"残る人 {n}") for n in range(4)]
    answer_directly(leaving, named, {named_question.pk: Given(text="記名のひとこと")})
    for member in [leaving, *staying]:
        answer_directly(
            member, survey, {questions["long"].pk: Given(text=f"匿名の声 {member.user_id}")}
        )
    before = results_html(world, survey)
    assert "5人が回答" in before
    with scopes_disabled():
        erasure = Erasure.objects.create(user=leaving.user, due_at=timezone.now())
    with run_on_commit(), scopes_disabled():
        assert erase_account(erasure.pk)
    with scopes_disabled():
        assert not Participation.objects.filter(user_id=leaving.user_id).exists()
        assert Participation.objects.filter(survey=survey).count() == 4
        # Their anonymous answer stays, counted, as anonymous data: nothing says it is theirs.
        assert Response.objects.filter(survey=survey).count() == 5
        assert Answer.objects.filter(text=f"匿名の声 {leaving.user_id}").exists()
        # Their named answer goes, and leaves the counts.
        assert not Response.objects.filter(survey=named).exists()
        assert not Tally.objects.filter(survey=named, count__gt=0).exists()
    assert results_html(world, survey) == before
    counts = Counter()
    with scopes_disabled():
        for key, n in Tally.objects.filter(survey=survey).values_list("key", "count"):
            counts[key] += n
    assert counts["n"] == 5


# --- Existing answers ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_answers_stay_and_keys_derived_from_members_go_when_migrating(
    world: World,
) -> None:
    """Answers given before batches: every response stays; named ones take their member's
    groups from the participation; the key derived from the member is gone from every row (an
    old anonymous response can no longer be changed, nor found from its member); a draft is
    kept under its member."""
    import hmac

    from django.conf import settings
    from django.db.migrations.executor import MigrationExecutor
    from django.utils.encoding import force_bytes

    from tsunagu.surveys.models import Draft

    def owner_key(survey_id: int, user_id: int) -> str:
        secret = hashlib.sha256(b"tsunagu.surveys.owner" + force_bytes(settings.SECRET_KEY))
        message = f"{survey_id}:{user_id}".encode()
        return hmac.new(secret.digest(), message, hashlib.sha256).hexdigest()

    before, latest = (
        [("surveys", "0003_wording_choices")],
        [("surveys", "0006_drop_member_keys_and_participation_groups")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        now = timezone.now()
        member, other = world.alumni_a, world.employee_a
        common = {"network_id": world.net_a.pk, "published": True}
        named = old.get_model("surveys", "Survey").objects.create(
            title="記名", anonymity="named", opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1), **common,
        )  # fmt: skip
        anonymous = old.get_model("surveys", "Survey").objects.create(
            title="匿名", anonymity="anonymous", opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1), **common,
        )  # fmt: skip
        question = old.get_model("surveys", "Question").objects.create(
            network_id=world.net_a.pk, survey=anonymous, kind="short", text="ひとこと"
        )
        for survey in (named, anonymous):
            old.get_model("surveys", "Participation").objects.create(
                network_id=world.net_a.pk, survey=survey, user_id=member.user_id,
                role="alumni", left_year=2015, department="人事部",
            )  # fmt: skip
            response = old.get_model("surveys", "Response").objects.create(
                network_id=world.net_a.pk, survey=survey,
                owner_key=owner_key(survey.pk, member.user_id),
                user_id=member.user_id if survey is named else None,
                submitted_at=now if survey is named else None,
            )  # fmt: skip
            old.get_model("surveys", "Answer").objects.create(
                network_id=world.net_a.pk, survey=survey, response=response, question=question,
                text=f"以前の回答 {survey.title}",
            )  # fmt: skip
        old.get_model("surveys", "Draft").objects.create(
            network_id=world.net_a.pk, survey=anonymous,
            owner_key=owner_key(anonymous.pk, other.user_id), data={"q1": ["書きかけ"]},
        )  # fmt: skip
        old.get_model("surveys", "Draft").objects.create(
            network_id=world.net_a.pk, survey=anonymous, owner_key="f" * 64, data={}
        )
    finally:
        # Whatever happened, the database is left as the other tests expect it.
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    with scopes_disabled():
        assert Response.objects.count() == 2 and Answer.objects.count() == 2
        assert set(Response.objects.values_list("edit_key", flat=True)) == {""}
        kept = Response.objects.get(survey_id=named.pk)
        assert (kept.user_id, kept.role, kept.left_year, kept.department) == (
            member.user_id, "alumni", 2015, "人事部",
        )  # fmt: skip
        gone = Response.objects.get(survey_id=anonymous.pk)
        assert (gone.user_id, gone.role, gone.left_year, gone.department) == (None, "", None, "")
        assert Participation.objects.count() == 2
        [draft] = Draft.objects.all()
        assert draft.user_id == other.user_id and draft.data == {"q1": ["書きかけ"]}
    # The member is told they answered; the old anonymous response opens for nobody.
    page = world.client(member).get(f"/n/{world.net_a.slug}/surveys/{anonymous.pk}/")
    assert page.context["locked"] and page.context["mine"] is None
