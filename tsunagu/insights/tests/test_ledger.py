"""The outcome ledger (成果台帳): bad input refused, proposals once, erased members anonymous,
names for operators only, and the CSV file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.insights import ledger
from tsunagu.insights.programme_models import (
    Award,
    AwardKind,
    Outcome,
    OutcomeKind,
    OutcomeMember,
    OutcomeStatus,
)
from tsunagu.privacy.actions import do_schedule_erasure
from tsunagu.privacy.erasure import erase_account
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Role, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def url(world: World, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/ledger/{path}"


def today() -> date:
    return network_day(timezone.now())


def form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": OutcomeKind.COMEBACK_HIRE,
        "on": today().isoformat(),
        "value_yen": "",
        "members": "",
        "note": "営業部に出戻り入社",
    }
    return data | changes


def test_an_operator_records_an_outcome_with_members_and_it_is_audited(world: World) -> None:
    client = world.client(world.operator_a)
    response = client.post(
        url(world),
        form(kind=OutcomeKind.REFERRAL_HIRE, value_yen="3500000", members=world.alumni_a.user.name),
        follow=True,
    )
    page = response.content.decode()
    assert "成果を記録しました。" in page
    assert "リファラル採用" in page and "3,500,000円" in page
    assert world.alumni_a.user.name in page
    with scopes_disabled():
        outcome = Outcome.objects.get(network=world.net_a)
        assert list(OutcomeMember.objects.values_list("member_id", flat=True)) == [
            world.alumni_a.pk
        ]
        assert AuditEntry.objects.filter(action=AuditAction.RECORD_OUTCOME).count() == 1
    assert outcome.status == OutcomeStatus.CONFIRMED and outcome.recorded_by == world.operator_a


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"on": (date.today() + timedelta(days=2)).isoformat()},
            "未来の日付の成果は記録できません。",
        ),
        ({"value_yen": "-1"}, "金額にマイナスは入力できません。"),
        ({"value_yen": "十万"}, "整数"),
        ({"on": "2026-02-30"}, "日付"),
        ({"kind": "lottery"}, "選択肢の中から選んでください"),
        (
            {"members": "存在しない 人"},
            "「存在しない 人」という名前のメンバーはこのネットワークにいません。",
        ),
    ],
)
def test_bad_outcomes_are_refused_with_a_clear_error(
    world: World, changes: dict[str, str], error: str
) -> None:
    response = world.client(world.operator_a).post(url(world), form(**changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    with scopes_disabled():
        assert not Outcome.objects.exists()


def test_the_actions_refuse_bad_outcomes_whoever_calls_them(world: World) -> None:
    with scope(network=world.net_a):
        with pytest.raises(ValidationError):
            ledger.do_record_outcome(
                world.operator_a, kind=OutcomeKind.MEDIA, on=today() + timedelta(days=1)
            )
        with pytest.raises(ValidationError):
            ledger.do_record_outcome(
                world.operator_a, kind=OutcomeKind.MEDIA, on=today(), value_yen=-100
            )
    with pytest.raises(ValidationError):
        ledger.propose_outcome(
            world.net_a.pk,
            OutcomeKind.COMEBACK_HIRE,
            today() + timedelta(days=3),
            "careers.application",
            1,
        )


def test_a_proposal_is_made_once_and_the_operators_confirm_or_dismiss_it(world: World) -> None:
    first = ledger.propose_outcome(
        world.net_a.pk,
        OutcomeKind.COMEBACK_HIRE,
        today(),
        "careers.application",
        42,
        [world.alumni_a.pk, world.alumni_b.pk],  # B's member is not A's: ignored
    )
    again = ledger.propose_outcome(
        world.net_a.pk, OutcomeKind.REFERRAL_HIRE, today(), "careers.application", 42, []
    )
    assert again.pk == first.pk and again.kind == OutcomeKind.COMEBACK_HIRE
    with scopes_disabled():
        assert Outcome.objects.count() == 1
        assert list(OutcomeMember.objects.values_list("member_id", flat=True)) == [
            world.alumni_a.pk
        ]
    client = world.client(world.operator_a)
    page = client.get(url(world)).content.decode()
    assert "確認待ち" in page
    assert (
        client.post(url(world, f"{first.pk}/decide/"), {"status": "confirmed"}).status_code == 302
    )
    with scopes_disabled():
        assert Outcome.objects.get(pk=first.pk).status == OutcomeStatus.CONFIRMED
    client.post(url(world, f"{first.pk}/decide/"), {"status": "dismissed"})
    with scopes_disabled():
        assert Outcome.objects.get(pk=first.pk).status == OutcomeStatus.DISMISSED
    junk = client.post(url(world, f"{first.pk}/decide/"), {"status": "proposed"}, follow=True)
    assert junk.status_code == 200
    # A supporter cannot decide.
    response = world.client(world.supporter_a).post(
        url(world, f"{first.pk}/decide/"), {"status": "confirmed"}
    )
    assert response.status_code == 403


def test_an_erased_member_leaves_the_outcome_anonymous(world: World) -> None:
    leaver = make_member(world.net_a, make_user(name="退職 予定子"))
    with scope(network=world.net_a):
        ledger.do_record_outcome(
            world.operator_a,
            kind=OutcomeKind.SIDE_JOB,
            on=today(),
            value_yen=120000,
            members=[leaver, world.alumni_a],
        )
    leaver.user.delete()  # the member erases their account
    with scopes_disabled():
        outcome = Outcome.objects.get(network=world.net_a)
        assert outcome.people.count() == 2
    page = world.client(world.operator_a).get(url(world)).content.decode()
    assert "退会したメンバー" in page and "退職 予定子" not in page
    assert "120,000円" in page


def test_an_account_erased_through_the_privacy_path_leaves_its_outcomes_anonymous(
    world: World,
) -> None:
    """The erasure as the site carries it out: the membership ends and stays, the registry
    empties the outcome's reference to the person, and their award goes with them."""
    leaver = make_member(world.net_a, make_user(name="退職 予定子"), role=Role.OPERATOR)
    year = today().year
    with scope(network=world.net_a):
        # As an operator the leaver recorded the outcome and chose another member's award.
        outcome = ledger.do_record_outcome(
            leaver,
            kind=OutcomeKind.SIDE_JOB,
            on=today(),
            value_yen=120000,
            members=[leaver, world.alumni_a],
        )
        Award.objects.create(
            network=world.net_a, year=year, kind=AwardKind.NEWCOMER, member=leaver,
            reason="最初の年から勉強会を主催", chosen_by=world.operator_a,
        )  # fmt: skip
        Award.objects.create(
            network=world.net_a, year=year, kind=AwardKind.MOST_ACTIVE, member=world.alumni_a,
            chosen_by=leaver,
        )  # fmt: skip
    erasure = do_schedule_erasure(leaver.user, keep_posts=True)
    assert erase_account(erasure.pk)

    with scopes_disabled():
        kept = Outcome.objects.get(pk=outcome.pk)
        people = set(OutcomeMember.objects.filter(outcome=kept).values_list("member_id", flat=True))
        awards = list(Award.objects.values_list("kind", "member_id", "chosen_by_id"))
    assert (kept.value_yen, kept.recorded_by_id) == (120000, leaver.pk)  # the ended membership
    assert people == {None, world.alumni_a.pk}
    assert awards == [(AwardKind.MOST_ACTIVE, world.alumni_a.pk, leaver.pk)]
    client = world.client(world.operator_a)
    # Edited afterwards, the outcome still names someone who left: the form cannot name them.
    edited = client.post(
        url(world, f"{outcome.pk}/"),
        form(kind=OutcomeKind.SIDE_JOB, value_yen="150000", members=world.alumni_a.user.name),
    )
    assert edited.status_code == 302
    with scopes_disabled():
        assert OutcomeMember.objects.filter(outcome=kept, member=None).count() == 1
    for page in (url(world), url(world, "export/"), url(world, f"{outcome.pk}/")):
        text = client.get(page).content.decode("utf-8-sig")
        assert "退会したメンバー" in text and "退職 予定子" not in text, page
        assert world.alumni_a.user.name in text, page
    assert "150,000円" in client.get(url(world)).content.decode()
    about = client.get(f"/n/{world.net_a.slug}/about/").content.decode()
    assert f"{year}年最多活動賞" in about and world.alumni_a.user.name in about
    assert "新人賞" not in about  # the leaver's award went with them


SECRET_NAME = "極秘 太郎"
SECRET_NOTE = "極秘の商談メモ-9d2c"


def test_outcome_names_are_never_shown_to_anyone_but_operators(world: World) -> None:
    """The canary: a member who left (so no other page shows them) is named by an outcome."""
    from tsunagu.insights.programme_models import ProgrammeSettings

    secret = make_member(world.net_a, make_user(name=SECRET_NAME), status=Status.LEFT)
    with scope(network=world.net_a):
        outcome = ledger.do_record_outcome(
            world.operator_a,
            kind=OutcomeKind.BUSINESS_DEAL,
            on=today(),
            note=SECRET_NOTE,
            members=[secret],
        )
    with scopes_disabled():
        ProgrammeSettings.objects.create(network=world.net_a, supporters_see_ranking=True)
    pages = [
        url(world),
        url(world, "export/"),
        url(world, "export/?encoding=shift_jis"),
        url(world, f"{outcome.pk}/"),
        f"/n/{world.net_a.slug}/supporters/",
        f"/n/{world.net_a.slug}/supporters/ranking/",
        f"/n/{world.net_a.slug}/supporters/ranking/?period=year",
        f"/n/{world.net_a.slug}/about/",
        f"/n/{world.net_a.slug}/",
        f"/n/{world.net_a.slug}/members/",
        f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/",
    ]
    for who in (world.supporter_a, world.employee_a, world.alumni_a, world.operator_b):
        client = world.client(who)
        for page in pages:
            body = client.get(page).content.decode("utf-8", errors="replace")
            assert SECRET_NAME not in body, (who, page)
            assert SECRET_NOTE not in body, (who, page)
    operator = world.client(world.operator_a)
    assert SECRET_NAME in operator.get(url(world)).content.decode()
    assert SECRET_NAME in operator.get(url(world, "export/")).content.decode("utf-8-sig")


def test_the_csv_is_formula_safe_in_utf8_with_bom_and_cp932_and_audited(world: World) -> None:
    with scope(network=world.net_a):
        ledger.do_record_outcome(
            world.operator_a,
            kind=OutcomeKind.SPEAKER,
            on=date(2026, 5, 12),
            value_yen=50000,
            note='=HYPERLINK("http://evil.example","登壇料")',
            members=[world.alumni_a],
        )
    client = world.client(world.operator_a)
    utf8 = client.get(url(world, "export/"))
    assert utf8["Content-Type"] == "text/csv; charset=utf-8"
    assert utf8.content.startswith(b"\xef\xbb\xbf")
    text = utf8.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "日付,種類,ステータス,金額（円）,メンバー,メモ,記録した人"
    assert "2026-05-12,登壇,確認済み,50000," in text
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text
    sjis = client.get(url(world, "export/?encoding=shift_jis"))
    assert "登壇" in sjis.content.decode("cp932")
    assert "attachment" in sjis["Content-Disposition"]
    with scopes_disabled():
        assert AuditEntry.objects.filter(action=AuditAction.EXPORT_LEDGER).count() == 2


def test_an_operator_edits_an_outcome(world: World) -> None:
    with scope(network=world.net_a):
        outcome = ledger.do_record_outcome(
            world.operator_a, kind=OutcomeKind.MEDIA, on=date(2026, 4, 1), note="日経の取材"
        )
    client = world.client(world.operator_a)
    assert "日経の取材" in client.get(url(world, f"{outcome.pk}/")).content.decode()
    bad = client.post(url(world, f"{outcome.pk}/"), form(value_yen="-5"))
    assert bad.status_code == 400 and "金額にマイナスは入力できません。" in bad.content.decode()
    client.post(
        url(world, f"{outcome.pk}/"),
        form(kind=OutcomeKind.MEDIA, on="2026-04-02", members=world.supporter_a.user.name),
    )
    with scopes_disabled():
        outcome.refresh_from_db()
        assert outcome.on == date(2026, 4, 2)
        assert list(outcome.people.values_list("member_id", flat=True)) == [world.supporter_a.pk]


def test_the_ledger_page_costs_the_same_queries_with_ten_times_the_outcomes(
    world: World, django_assert_num_queries: object
) -> None:
    client = world.client(world.operator_a)

    def record(count: int) -> None:
        with scope(network=world.net_a):
            for number in range(count):
                ledger.do_record_outcome(
                    world.operator_a,
                    kind=OutcomeKind.OUTSOURCING,
                    on=today(),
                    value_yen=number,
                    members=[world.alumni_a, world.supporter_a],
                )

    record(3)
    client.get(url(world))
    with django_assert_num_queries(QUERIES_LEDGER):  # type: ignore[operator]
        assert client.get(url(world)).status_code == 200
    record(27)
    with django_assert_num_queries(QUERIES_LEDGER):  # type: ignore[operator]
        page = client.get(url(world)).content.decode()
    assert page.count("業務委託契約") >= 30


QUERIES_LEDGER = 4
