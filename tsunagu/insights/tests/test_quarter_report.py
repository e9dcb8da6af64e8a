"""The quarterly report: the quarter's confirmed outcomes without names, the voices the office
picked, a CSV for the meeting's minutes; operators only, and clear about bad quarters."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.insights.ledger import do_decide_outcome, do_record_outcome, propose_outcome
from tsunagu.insights.programme_models import OutcomeKind, OutcomeStatus
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=TOKYO)


@pytest.fixture
def ledger(world: World) -> None:
    with time_machine.travel(NOW, tick=False), scope(network=world.net_a):
        op = world.operator_a
        do_record_outcome(
            op,
            kind=OutcomeKind.COMEBACK_HIRE,
            on=date(2026, 10, 1),
            value_yen=6_000_000,
            note="営業企画部に再入社",
            members=[world.alumni_a],
        )
        do_record_outcome(
            op,
            kind=OutcomeKind.SIDE_JOB,
            on=date(2026, 11, 20),
            value_yen=300_000,
            note='=HYPERLINK("http://x")',
        )
        do_record_outcome(op, kind=OutcomeKind.SPEAKER, on=date(2026, 9, 30), note="前の四半期")
        proposed = propose_outcome(world.net_a.pk, OutcomeKind.OUTSOURCING, date(2026, 11, 1),
                                   "test", 1)  # fmt: skip
        assert proposed.status == OutcomeStatus.PROPOSED
    with time_machine.travel(NOW, tick=False), scope(network=world.net_b):
        do_record_outcome(world.operator_b, kind=OutcomeKind.MEDIA, on=date(2026, 11, 2),
                          note="B の成果")  # fmt: skip


def page(world: World, who, query: str = "", **post: str):  # noqa: ANN001, ANN201
    client = world.client(who)
    url = f"/n/{world.net_a.slug}/ledger/report/{query}"
    with time_machine.travel(NOW, tick=False):
        return client.post(url, post) if post else client.get(url)


def test_the_quarter_counts_its_confirmed_outcomes_and_names_nobody(
    world: World, ledger: None
) -> None:
    html = page(world, world.operator_a).content.decode()

    assert "2026年 第4四半期レポート" in html
    assert "<strong data-outcomes>2</strong>" in html  # the proposed one and Q3's are not counted
    assert "6,300,000円" in html
    assert "営業企画部に再入社" in html and "前の四半期" not in html and "B の成果" not in html
    assert CANARY_A not in html.split("<article", 1)[1].split("</article>", 1)[0]


def test_the_office_picks_two_voices(world: World, ledger: None) -> None:
    saved = page(world, world.operator_a, "?quarter=2026-Q4", quote_1="つながれて心強い",
                 quote_1_by="2019年退職・営業部", quote_2="", quote_2_by="")  # fmt: skip
    assert saved.status_code == 302
    html = page(world, world.operator_a, "?quarter=2026-Q4").content.decode()
    assert "つながれて心強い" in html and "— 2019年退職・営業部" in html
    too_long = page(world, world.operator_a, "?quarter=2026-Q4", quote_1="長" * 401)
    assert too_long.status_code == 400


@pytest.mark.parametrize("quarter", ["2026-Q5", "来期", "2026Q4", "1999-Q1"])
def test_a_quarter_that_does_not_exist_is_named_as_such(
    world: World, ledger: None, quarter: str
) -> None:
    response = page(world, world.operator_a, f"?quarter={quarter}")
    assert response.status_code == 400
    assert "2026-Q4" in response.content.decode()  # the message shows the expected form


def test_a_quarter_not_begun_says_so(world: World, ledger: None) -> None:
    html = page(world, world.operator_a, "?quarter=2027-Q2").content.decode()
    assert "まだ始まっていない" in html and "<strong data-outcomes>0</strong>" in html


def test_the_csv_is_text_in_both_encodings_and_audited(world: World, ledger: None) -> None:
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/ledger/report.csv?quarter=2026-Q4"
    with time_machine.travel(NOW, tick=False):
        utf8 = client.get(url)
        sjis = client.get(url + "&encoding=shift_jis")
    assert utf8.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(utf8.content.decode("utf-8-sig"))))
    assert rows[0] == ["四半期", "2026-Q4"]
    notes = [row[3] for row in rows if len(row) == 4][1:]
    assert notes == ["営業企画部に再入社", '\'=HYPERLINK("http://x")']
    assert "四半期" in sjis.content.decode("cp932")
    with scopes_disabled():
        assert AuditEntry.objects.filter(action=AuditAction.EXPORT_LEDGER).count() == 2


@pytest.mark.parametrize("who", ["supporter_a", "employee_a", "alumni_a"])
def test_only_operators_read_the_report(world: World, ledger: None, who: str) -> None:
    response = page(world, getattr(world, who))
    assert response.status_code in (403, 404)
    assert "営業企画部に再入社" not in response.content.decode()


def test_a_demoted_operator_loses_the_report_at_once(world: World, ledger: None) -> None:
    assert page(world, world.operator_a).status_code == 200
    with scopes_disabled():
        world.operator_a.role = "alumni"
        world.operator_a.save(update_fields=["role"])
    assert page(world, world.operator_a).status_code in (403, 404)


def test_dismissing_a_proposed_outcome_keeps_it_out_and_confirming_brings_it_in(
    world: World, ledger: None
) -> None:
    with scope(network=world.net_a):
        from tsunagu.insights.programme_models import Outcome

        proposed = Outcome.objects.get(status=OutcomeStatus.PROPOSED)
        with time_machine.travel(NOW, tick=False):
            do_decide_outcome(world.operator_a, proposed, OutcomeStatus.CONFIRMED)
    assert "<strong data-outcomes>3</strong>" in page(world, world.operator_a).content.decode()
