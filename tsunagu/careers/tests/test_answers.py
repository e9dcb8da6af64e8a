"""Answering: interest and applications, CVs, statuses, withdrawal, refusals, export, hires."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext, override
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.careers import signals
from tsunagu.careers.access import Refused
from tsunagu.careers.actions import do_answer, do_set_status
from tsunagu.careers.models import CV_MAX_BYTES, Application, Status
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.tenancy.models import Status as MemberStatus
from tsunagu.testing.world import World

from .helpers import answer, cv_upload, make_opportunity, notified, pdf_bytes, reload, url

pytestmark = pytest.mark.django_db


def ja(msgid: str) -> str:
    with override("ja"):
        return gettext(msgid)


def only_answer() -> Application:
    with scopes_disabled():
        return Application.objects.get()


def post_answer(client: Any, world: World, opportunity: Any, **data: Any) -> Any:
    return client.post(url(world, f"{opportunity.pk}/answer/"), {"mode": "interest"} | data)


def test_casual_interest_reaches_the_poster_by_mail(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    opportunity = make_opportunity(world.employee_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_answer(world.client(world.alumni_a), world, opportunity)
    assert response.status_code == 302
    found = only_answer()
    assert (found.mode, found.status) == ("interest", Status.NEW)
    assert world.employee_a.user_id in notified("careers_answer")
    assert [m.to for m in mail.outbox] == [[world.employee_a.user.email]]
    assert "カムバック採用：法人営業（大阪）" in mail.outbox[0].body
    page = world.client(world.alumni_a).get(url(world, "mine/")).content.decode()
    assert "カムバック採用：法人営業（大阪）" in page
    assert str(Status.NEW.label) in page
    assert reload(opportunity).answer_count == 1


def test_an_application_needs_a_message(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    response = post_answer(world.client(world.alumni_a), world, opportunity, mode="apply")
    assert response.status_code == 400
    assert response.context["form"].errors["message"] == [
        ja("Write a message to go with your application.")
    ]
    with scopes_disabled():
        assert not Application.objects.exists()


def test_an_application_with_a_real_pdf_cv_is_seen_by_poster_and_applicant_only(
    world: World,
) -> None:
    opportunity = make_opportunity(world.employee_a)
    response = post_answer(
        world.client(world.alumni_a),
        world,
        opportunity,
        mode="apply",
        message="営業企画の経験を活かしたいです。",
        cv=cv_upload("田中花子_職務経歴書.pdf"),
    )
    assert response.status_code == 302
    found = only_answer()
    assert found.cv_name == "田中花子_職務経歴書.pdf"
    cv_url = url(world, f"answers/{found.pk}/cv/")
    for member in (world.employee_a, world.operator_a, world.alumni_a):
        got = world.client(member).get(cv_url)
        assert got.status_code == 200, member.role
        assert b"".join(got.streaming_content).startswith(b"%PDF-")
        assert "attachment" in got["Content-Disposition"]
    for member in (world.supporter_a,):
        assert world.client(member).get(cv_url).status_code == 404
    answers_page = world.client(world.employee_a).get(url(world, f"{opportunity.pk}/answers/"))
    assert "営業企画の経験を活かしたいです。" in answers_page.content.decode()
    # Nobody else sees the answers.
    for member in (world.supporter_a, world.alumni_a):
        assert world.client(member).get(url(world, f"{opportunity.pk}/answers/")).status_code == 403


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "職務経歴書.pdf",
            "これはPDFではありません".encode(),
        ),  # the extension alone proves nothing
        ("職務経歴書.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50),  # the magic alone neither
        ("職務経歴書.docx", b"PK\x03\x04word/document.xml"),
    ],
)
def test_a_cv_that_is_not_a_real_pdf_is_refused(world: World, name: str, content: bytes) -> None:
    opportunity = make_opportunity(world.employee_a)
    response = post_answer(
        world.client(world.alumni_a),
        world,
        opportunity,
        mode="apply",
        message="よろしくお願いします。",
        cv=SimpleUploadedFile(name, content, content_type="application/pdf"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["cv"]
    with scopes_disabled():
        assert not Application.objects.exists()


def test_a_cv_over_10_mb_is_refused(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    real = pdf_bytes()
    big = real + b"%" + b" " * (CV_MAX_BYTES - len(real))  # a valid PDF, one byte too large
    response = post_answer(
        world.client(world.alumni_a),
        world,
        opportunity,
        mode="apply",
        message="よろしくお願いします。",
        cv=SimpleUploadedFile("大きな履歴書.pdf", big, content_type="application/pdf"),
    )
    assert response.status_code == 400
    assert "10" in response.context["form"].errors["cv"][0]


def test_a_second_click_makes_no_second_answer(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    client = world.client(world.alumni_a)
    assert post_answer(client, world, opportunity).status_code == 302
    again = post_answer(client, world, opportunity, mode="apply", message="もう一度")
    assert again.status_code == 302
    with scopes_disabled():
        assert Application.objects.count() == 1
    assert reload(opportunity).answer_count == 1


def test_answering_ones_own_posting_is_refused_with_409(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    response = post_answer(world.client(world.employee_a), world, opportunity)
    assert response.status_code == 409
    assert ja("This is your own posting: you cannot answer it.") in response.content.decode()


def test_answering_a_closed_opportunity_is_refused(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    with scopes_disabled():
        type(opportunity).objects.filter(pk=opportunity.pk).update(
            deadline=timezone.localdate() - timedelta(days=1)
        )
    # Members who never answered it no longer find it at all.
    assert post_answer(world.client(world.alumni_a), world, opportunity).status_code == 404
    # Operators still open it, and hear why they cannot answer.
    response = post_answer(world.client(world.operator_a), world, opportunity)
    assert response.status_code == 409
    assert (
        ja("This opportunity is closed and no longer takes answers.") in response.content.decode()
    )
    with scopes_disabled():
        assert not Application.objects.exists()


def test_answering_an_unapproved_opportunity_is_a_404(world: World) -> None:
    opportunity = make_opportunity(world.alumni_a, kind="side_job")
    assert post_answer(world.client(world.supporter_a), world, opportunity).status_code == 404
    with scopes_disabled():
        assert not Application.objects.exists()


def test_answering_another_networks_opportunity_is_a_404(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    b_url = url(world, f"{opportunity.pk}/answer/", network=world.net_b)
    response = world.client(world.alumni_b).post(b_url, {"mode": "interest"})
    assert response.status_code == 404
    with scopes_disabled():
        assert not Application.objects.exists()


def test_a_suspended_member_cannot_answer(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    with scopes_disabled():
        world.alumni_a.status = MemberStatus.SUSPENDED
        world.alumni_a.save()
    assert post_answer(world.client(world.alumni_a), world, opportunity).status_code == 403
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        do_answer(world.alumni_a, opportunity, mode="interest")
    with scopes_disabled():
        assert not Application.objects.exists()


def test_the_poster_moves_an_answer_and_the_applicant_sees_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    opportunity = make_opportunity(world.employee_a)
    found = answer(world.alumni_a, opportunity)
    mail.outbox.clear()
    poster = world.client(world.employee_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = poster.post(url(world, f"answers/{found.pk}/status/"), {"status": "interview"})
    assert response.status_code == 302
    assert reload(found).status == Status.INTERVIEW
    assert world.alumni_a.user_id in notified("careers_status")
    assert [m.to for m in mail.outbox] == [[world.alumni_a.user.email]]
    mine = world.client(world.alumni_a).get(url(world, "mine/")).content.decode()
    assert str(Status.INTERVIEW.label) in mine
    # The applicant cannot move their own answer along.
    other = world.client(world.alumni_a).post(
        url(world, f"answers/{found.pk}/status/"), {"status": "offer"}
    )
    assert other.status_code == 403
    assert reload(found).status == Status.INTERVIEW


def test_a_status_never_goes_back_and_a_hire_is_final(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    found = answer(world.alumni_a, opportunity)
    poster = world.client(world.employee_a)
    status_url = url(world, f"answers/{found.pk}/status/")
    poster.post(status_url, {"status": "offer"})
    back = poster.post(status_url, {"status": "contact"})
    assert back.status_code == 409
    poster.post(status_url, {"status": "hired"})
    assert reload(found).status == Status.HIRED
    for wanted in ("new", "declined", "withdrawn", "nonsense"):
        refused = poster.post(status_url, {"status": wanted})
        assert refused.status_code == 409, wanted
        assert reload(found).status == Status.HIRED
    with scope(network=world.net_a), pytest.raises(Refused):
        do_set_status(world.operator_a, reload(found), Status.NEW)


def test_a_poster_may_skip_steps_forward_a_hire_without_a_formal_interview(world: World) -> None:
    """The policy: any later step may be chosen (a hire can happen without an interview, an
    offer without contact through the site); never a step back."""
    opportunity = make_opportunity(world.employee_a)
    found = answer(world.alumni_a, opportunity)
    poster = world.client(world.employee_a)
    page = poster.get(url(world, f"{opportunity.pk}/answers/")).content.decode()
    for later in ("contact", "interview", "offer", "hired", "declined"):
        assert f'value="{later}"' in page, later
    response = poster.post(url(world, f"answers/{found.pk}/status/"), {"status": "hired"})
    assert response.status_code == 302
    found = reload(found)
    assert found.status == Status.HIRED
    assert found.hired_on == timezone.localdate()
    mine = world.client(world.alumni_a).get(url(world, "mine/")).content.decode()
    assert ja("Hired") in mine


def test_a_hire_is_dated_and_signalled_without_the_person(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    opportunity = make_opportunity(world.employee_a)
    found = answer(world.alumni_a, opportunity)
    heard: list[dict[str, Any]] = []

    def listener(sender: Any, **facts: Any) -> None:
        heard.append({k: v for k, v in facts.items() if k != "signal"})

    signals.hired.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True), scope(network=world.net_a):
            do_set_status(world.employee_a, found, Status.OFFER)
        assert heard == []
        with django_capture_on_commit_callbacks(execute=True), scope(network=world.net_a):
            do_set_status(world.employee_a, reload(found), Status.HIRED)
    finally:
        signals.hired.disconnect(listener)
    today = timezone.localdate()
    assert heard == [
        {
            "network_id": world.net_a.pk,
            "opportunity_id": opportunity.pk,
            "application_id": found.pk,
            "kind": "comeback",
            "on": today,
        }
    ]
    assert (reload(found).hired_on, reload(found).decided_on) == (today, today)


def test_the_applicant_withdraws(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    found = answer(world.alumni_a, opportunity)
    # Only the applicant withdraws their answer.
    assert (
        world.client(world.employee_a).post(url(world, f"answers/{found.pk}/withdraw/")).status_code
        == 403
    )
    response = world.client(world.alumni_a).post(url(world, f"answers/{found.pk}/withdraw/"))
    assert response.status_code == 302
    found = reload(found)
    assert found.status == Status.WITHDRAWN
    assert found.decided_on == timezone.localdate()
    again = world.client(world.alumni_a).post(url(world, f"answers/{found.pk}/withdraw/"))
    assert again.status_code == 409


def test_a_closed_opportunity_stays_visible_to_those_who_answered(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    answer(world.alumni_a, opportunity)
    world.client(world.employee_a).post(url(world, f"{opportunity.pk}/close/"))
    assert world.client(world.alumni_a).get(url(world, f"{opportunity.pk}/")).status_code == 200
    assert world.client(world.supporter_a).get(url(world, f"{opportunity.pk}/")).status_code == 404
    mine = world.client(world.alumni_a).get(url(world, "mine/")).content.decode()
    assert opportunity.title in mine


def test_a_referral_request_takes_introductions_with_a_note_only(world: World) -> None:
    opportunity = make_opportunity(
        world.employee_a, kind="referral", title="経理経験者をご紹介ください"
    )
    client = world.client(world.alumni_a)
    page = client.get(url(world, f"{opportunity.pk}/")).content.decode()
    assert 'name="cv"' not in page  # nowhere to put a third person's documents
    assert post_answer(client, world, opportunity, mode="interest").status_code == 400
    assert post_answer(client, world, opportunity, mode="introduce").status_code == 400
    response = post_answer(
        client,
        world,
        opportunity,
        mode="introduce",
        message="前職の同僚で、経理10年の方がいます。",
        cv=SimpleUploadedFile("他人の履歴書.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    assert response.status_code == 302
    found = only_answer()
    assert (found.mode, found.cv.name, found.cv_name) == ("introduce", "", "")
    assert world.employee_a.user_id in notified("careers_answer")


@pytest.mark.parametrize(
    "note",
    [
        "元同僚の山田さんです。yamada.taro@example.co.jp に連絡してください",
        "元同僚です。ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ まで",  # full width
        "携帯は090-1234-5678です",
        "電話：０３（１２３４）５６７８",  # full-width digits and brackets
        "+81 90 1234 5678 にどうぞ",
    ],
)
def test_a_referral_note_with_the_persons_contact_details_is_refused(
    world: World, note: str
) -> None:
    opportunity = make_opportunity(
        world.employee_a, kind="referral", title="経理経験者をご紹介ください"
    )
    client = world.client(world.alumni_a)
    response = post_answer(client, world, opportunity, mode="introduce", message=note)
    assert response.status_code == 400
    assert "メールアドレスや電話番号は書かないでください" in response.content.decode()
    with scopes_disabled():
        assert not Application.objects.filter(opportunity_id=opportunity.pk).exists()


def test_a_referral_note_with_years_and_figures_is_not_mistaken_for_a_phone_number(
    world: World,
) -> None:
    opportunity = make_opportunity(
        world.employee_a, kind="referral", title="経理経験者をご紹介ください"
    )
    note = "2015年から2024年まで経理。売上 1,200,000,000円規模の決算を10年担当した方です"
    response = post_answer(
        world.client(world.alumni_a), world, opportunity, mode="introduce", message=note
    )
    assert response.status_code == 302


def test_the_export_is_formula_safe_in_both_encodings_and_audited(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    answer(world.alumni_a, opportunity, mode="apply", message='=HYPERLINK("http://evil")')
    answer(world.supporter_a, opportunity, message="髙橋です。ぜひ話を聞きたいです")
    poster = world.client(world.employee_a)
    export_url = url(world, f"{opportunity.pk}/answers.csv")
    utf8 = poster.get(export_url)
    assert utf8.status_code == 200
    assert utf8.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(utf8.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    messages = [row[4] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in messages
    assert "髙橋です。ぜひ話を聞きたいです" in messages
    sjis = poster.get(export_url + "?encoding=shift_jis")
    assert "ぜひ話を聞きたいです" in sjis.content.decode("cp932")
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(action=AuditAction.EXPORT_APPLICATIONS))
    assert [(e.actor_id, e.detail["count"], e.detail["encoding"]) for e in entries] == [
        (world.employee_a.user_id, 2, "shift_jis"),
        (world.employee_a.user_id, 2, "utf-8"),
    ]
    for member in (world.alumni_a, world.supporter_a):
        assert world.client(member).get(export_url).status_code == 403


def test_shift_jis_keeps_what_it_can_and_the_page_tells_how_many_cells_lose_a_character(
    world: World,
) -> None:
    """𠮷 (U+20BB7) and emoji have no place in CP932: "?", counted on the page before the
    download; dashes and compatibility forms become CP932's own."""
    opportunity = make_opportunity(world.employee_a)
    poster = world.client(world.employee_a)
    answers_url = url(world, f"{opportunity.pk}/answers/")
    yoshida = make_member(world.net_a, make_user(name="𠮷田 花子"))
    answer(yoshida, opportunity, mode="apply", message="平日10時〜18時 — 週3日から、José と")
    answer(world.alumni_a, opportunity, message="よろしくお願いします")
    page = poster.get(answers_url).content.decode()
    assert "<strong>1</strong>" in page[page.index('id="shift-jis-notice"') :]
    answer(world.supporter_a, opportunity, message="ぜひ😀")
    page = poster.get(answers_url).content.decode()
    notice = page[page.index('id="shift-jis-notice"') : page.index("</p>", page.index("shift-jis"))]
    assert "<strong>2</strong>" in notice

    sjis = poster.get(url(world, f"{opportunity.pk}/answers.csv?encoding=shift_jis"))
    rows = list(csv.reader(io.StringIO(sjis.content.decode("cp932"))))
    by_message = {row[4]: row for row in rows[1:]}
    assert by_message["平日10時～18時 ― 週3日から、Jose と"][0] == "?田 花子"
    assert "ぜひ?" in by_message
    assert "よろしくお願いします" in by_message
    utf8 = poster.get(url(world, f"{opportunity.pk}/answers.csv"))
    assert "𠮷田 花子" in utf8.content.decode("utf-8-sig")
    with scopes_disabled():
        entry = AuditEntry.objects.filter(
            action=AuditAction.EXPORT_APPLICATIONS, detail__encoding="shift_jis"
        ).get()
    assert entry.detail["lost_cells"] == 2


def test_the_page_warns_of_nothing_when_shift_jis_holds_every_character(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    answer(world.alumni_a, opportunity, message="髙橋・﨑山と申します。①から③まで対応可〜")
    page = world.client(world.employee_a).get(url(world, f"{opportunity.pk}/answers/"))
    assert 'id="shift-jis-notice"' not in page.content.decode()
    sjis = world.client(world.employee_a).get(
        url(world, f"{opportunity.pk}/answers.csv?encoding=shift_jis")
    )
    assert "髙橋・﨑山と申します。①から③まで対応可～" in sjis.content.decode("cp932")


def test_a_status_change_from_the_answers_page_swaps_its_row_in_place(world: World) -> None:
    opportunity = make_opportunity(world.employee_a)
    found = answer(world.alumni_a, opportunity)
    response = world.client(world.employee_a).post(
        url(world, f"answers/{found.pk}/status/"), {"status": "contact"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="thread-row answer-row" id="answer-{found.pk}">')
    assert str(Status.CONTACT.label) in body
    assert 'value="new"' not in body  # the next choices only: never back
    assert reload(found).status == Status.CONTACT


def test_an_opportunity_with_answers_is_closed_not_deleted(world: World) -> None:
    answered = make_opportunity(world.employee_a, title="応募のある募集")
    answer(world.alumni_a, answered)
    unanswered = make_opportunity(world.employee_a, title="応募のない募集")
    poster = world.client(world.employee_a)
    refused = poster.post(url(world, f"{answered.pk}/delete/"))
    assert refused.status_code == 409
    with scopes_disabled():
        assert Application.objects.filter(opportunity_id=answered.pk).exists()
    assert poster.post(url(world, f"{unanswered.pk}/delete/")).status_code == 302
    assert world.client(world.alumni_a).get(url(world, f"{unanswered.pk}/")).status_code == 404
    assert world.client(world.alumni_a).get(url(world, f"{answered.pk}/")).status_code == 200
