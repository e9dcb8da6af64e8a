"""Every CSV file the site writes opens in a spreadsheet as text.

A cell that starts like a formula (=, +, -, @, a tab or a carriage return) reaches the spreadsheet
with a leading quote, whatever table the text came from: a member's name or department in the
roster export, a rejected row of an uploaded roster, an event's title in the figures. Japanese
text arrives intact, in UTF-8 with a BOM and in Shift_JIS where the export offers it.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.tests.helpers import make_event
from tsunagu.profiles.models import Profile, Tag
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db

# The ways a cell can start a formula (stated here again, so that a shorter list in csvsafe.py
# fails), and one value for each, with Japanese in it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '=HYPERLINK("http://evil.example/","押して")',
    "+81 営業企画部",
    "-総務部-",
    "@人事部",
    "\t=経理部",
    "\r=開発部",
]


def cells(content: bytes, codec: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(codec), newline="")))


def assert_no_formula(rows: list[list[str]]) -> None:
    starting = [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert starting == [], starting


def neutralised(value: str) -> str:
    return "'" + value


def csv_routes(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """The names of every URL whose route ends in .csv."""
    found = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= csv_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and str(pattern.pattern).endswith(".csv"):
            found.add(f"{namespace}{pattern.name}")
    return found


def test_every_csv_the_site_writes_is_tested_here() -> None:
    # A new CSV export is added to this module with its own test, then to this list.
    assert csv_routes() == {
        "profiles:roster_export",
        "onboarding:import_rejections",
        "events:figures_csv",
        "careers:answers_export",
        "surveys:export_csv",
        "insights:export",
        "programme:quarter_report_csv",
        "audit:export",
        "collab:disclosures_export",
        "collab:room_export",
    }


@pytest.mark.parametrize(
    ("encoding", "codec"), [("", "utf-8-sig"), ("shift_jis", "cp932")], ids=["utf-8", "shift_jis"]
)
def test_the_roster_export_writes_names_departments_and_titles_as_text(
    world: World, encoding: str, codec: str
) -> None:
    for number, value in enumerate(HOSTILE):
        member = make_member(world.net_a, make_user(name=value))
        with scopes_disabled():
            Profile.objects.filter(membership=member).update(
                name_kana=value,
                last_department=value,
                last_title=value,
                current_employer=value,
                current_role=value,
                location=value,
                can_help_with=value,
                looking_for=value,
                contact_phone=value[:30],
                visibility={"contact": "operators"},
            )
            profile = Profile.objects.get(membership=member)
            skill = Tag.objects.create(
                network=world.net_a, kind="skill", name=value, normalized=f"hostile-{number}"
            )
            profile.tags.add(skill)

    response = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/manage/roster/export.csv", {"encoding": encoding}
    )

    assert response.status_code == 200
    if codec == "utf-8-sig":
        assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, codec)
    assert rows[0][:2] == ["名前", "アカウントのメールアドレス"]
    assert_no_formula(rows)
    by_name = {row[0]: row for row in rows[1:]}
    for value in HOSTILE:
        row = by_name[neutralised(value)]
        # name, kana, department, title, employer, role, location, skills, help, looking for
        for column in (0, 5, 9, 10, 11, 12, 14, 15, 17, 18):
            assert row[column] == neutralised(value), (value, column, row)
        assert row[20] == neutralised(value[:30])  # the phone
    assert any(name.startswith("田中 花子") for name in by_name)  # the others, as they are


ROSTER_HEADER = ["氏名", "フリガナ", "メールアドレス", "最終所属", "役職", "=備考"]


def rejected_roster() -> bytes:
    """A roster whose every row is refused (the address is not one), each cell starting like a
    formula, with a column of notes headed like one too."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ROSTER_HEADER)
    writer.writerow(["田中 花子", "タナカ ハナコ", "hanako.tanaka@example.jp", "営業部", "", ""])
    for value in HOSTILE:
        writer.writerow([value, value, value, value, value, value])
    return buffer.getvalue().encode("utf-8")


def test_the_rows_an_import_rejected_come_back_as_text(world: World) -> None:
    client = world.client(world.operator_a)
    base = f"/n/{world.net_a.slug}/manage/import/"
    upload = client.post(base, {"file": SimpleUploadedFile("名簿.csv", rejected_roster())})
    assert upload.status_code == 302, upload.content.decode()[:2000]
    mapping = upload["Location"]
    columns = {"name": 0, "name_kana": 1, "email": 2, "last_department": 3, "last_title": 4}
    assert client.post(mapping, {**columns, "action": "import"}).status_code == 302

    response = client.get(mapping + "rejected.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, "utf-8-sig")
    assert rows[0] == ["行", "理由", *ROSTER_HEADER[:-1], "'=備考"]
    assert_no_formula(rows)
    assert [row[0] for row in rows[1:]] == [str(line) for line in range(3, 3 + len(HOSTILE))]
    for row, value in zip(rows[1:], HOSTILE, strict=True):
        assert row[2:] == [neutralised(value)] * 6, row


def test_the_event_figures_write_titles_as_text(world: World) -> None:
    started = timezone.now() - timedelta(days=1)
    for hours, value in enumerate(HOSTILE):
        make_event(world.net_a, title=value, starts_at=started - timedelta(hours=hours))
    client = world.client(world.operator_a)

    response = client.get(f"/n/{world.net_a.slug}/events/figures.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, "utf-8-sig")
    assert rows[0][0] == "イベント"
    assert_no_formula(rows)
    assert sorted(row[0] for row in rows[1:]) == sorted(neutralised(v) for v in HOSTILE)
    by_month = client.get(f"/n/{world.net_a.slug}/events/figures.csv", {"by": "month"})
    assert_no_formula(cells(by_month.content, "utf-8-sig"))


@pytest.mark.parametrize(
    ("encoding", "codec"), [("", "utf-8-sig"), ("shift_jis", "cp932")], ids=["utf-8", "shift_jis"]
)
def test_the_answers_to_an_opportunity_write_names_messages_and_cv_names_as_text(
    world: World, encoding: str, codec: str
) -> None:
    from tsunagu.careers.tests.helpers import answer, cv_upload, make_opportunity

    opening = make_opportunity(world.employee_a)
    for value in HOSTILE:
        member = make_member(world.net_a, make_user(name=value))
        answer(member, opening, mode="apply", message=value, cv=cv_upload(value + ".pdf"))

    response = world.client(world.employee_a).get(
        f"/n/{world.net_a.slug}/careers/{opening.pk}/answers.csv", {"encoding": encoding}
    )

    assert response.status_code == 200
    if codec == "utf-8-sig":
        assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, codec)
    assert rows[0][0] == "名前"
    assert_no_formula(rows)
    assert len(rows) == 1 + len(HOSTILE)
    for row in rows[1:]:
        # The name and the message (stripped of its outer blanks when sent); the CV's file name
        # is checked with every other cell by assert_no_formula().
        assert row[0].startswith("'") and row[4].startswith("'"), row
    assert sorted(row[0] for row in rows[1:]) == sorted(neutralised(v) for v in HOSTILE)


@pytest.mark.parametrize(
    ("encoding", "codec"), [("", "utf-8-sig"), ("shift_jis", "cp932")], ids=["utf-8", "shift_jis"]
)
def test_the_answers_of_a_survey_come_as_text(world: World, encoding: str, codec: str) -> None:
    from tsunagu.surveys.tests.helpers import add_question, make_survey

    survey = make_survey(world.net_a)
    questions = [add_question(survey, value, "short") for value in HOSTILE]
    members = [world.alumni_a, world.employee_a, world.supporter_a]
    for n, member in enumerate(members):
        data = {
            f"q{q.pk}": HOSTILE[(i + n) % len(HOSTILE)].strip() or "x"
            for i, q in enumerate(questions)
        }
        world.client(member).post(f"/n/{world.net_a.slug}/surveys/{survey.pk}/", data)
    response = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/surveys/{survey.pk}/answers.csv", {"encoding": encoding}
    )
    assert response.status_code == 200
    rows = cells(response.content, codec)
    assert_no_formula(rows)
    assert rows[0][5:] == [neutralised(v) for v in HOSTILE]
    assert len(rows) == 4
    assert "'=HYPERLINK" in response.content.decode(codec)


@pytest.mark.parametrize(
    ("encoding", "codec"), [("", "utf-8-sig"), ("shift_jis", "cp932")], ids=["utf-8", "shift_jis"]
)
def test_the_quarterly_report_writes_outcome_notes_as_text(
    world: World, encoding: str, codec: str
) -> None:
    from django.utils import timezone
    from django_scopes import scope

    from tsunagu.insights.ledger import do_record_outcome
    from tsunagu.insights.programme_models import OutcomeKind
    from tsunagu.insights.report import Quarter

    today = timezone.localdate()
    with scope(network=world.net_a):
        for value in HOSTILE:
            do_record_outcome(world.operator_a, kind=OutcomeKind.MEDIA, on=today, note=value)
    quarter = Quarter.of(today).key

    response = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/ledger/report.csv", {"quarter": quarter, "encoding": encoding}
    )

    assert response.status_code == 200
    if codec == "utf-8-sig":
        assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, codec)
    assert_no_formula(rows)
    notes = [row[3] for row in rows if len(row) == 4][1:]
    # Notes are stored without their outer blanks; each reaches the file as text.
    assert sorted(n.removeprefix("'") for n in notes) == sorted(v.strip() for v in HOSTILE)


@pytest.mark.parametrize(
    ("encoding", "codec"), [("", "utf-8-sig"), ("shift_jis", "cp932")], ids=["utf-8", "shift_jis"]
)
def test_the_dashboard_figures_come_as_plain_cells(world: World, encoding: str, codec: str) -> None:
    # The figures hold no member's text; the file is still checked like every other.
    response = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/insights/export.csv", {"encoding": encoding}
    )
    assert response.status_code == 200
    if codec == "utf-8-sig":
        assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, codec)
    assert len(rows) > 5
    assert_no_formula(rows)


def test_the_audit_log_writes_actor_names_as_text(world: World) -> None:
    from django_scopes import scope

    from tsunagu.audit.models import AuditAction, AuditEntry

    with scope(network=world.net_a):
        for value in HOSTILE:
            AuditEntry.objects.create(
                network=world.net_a, actor_name=value, action=AuditAction.VIEW_ROSTER
            )

    response = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/audit/export.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, "utf-8-sig")
    assert_no_formula(rows)
    shown = {cell.removeprefix("'") for row in rows for cell in row}
    assert {value.strip() for value in HOSTILE} <= {cell.strip() for cell in shown}


def test_the_records_of_data_shown_to_linked_networks_write_names_as_text(world: World) -> None:
    from tsunagu.collab.tests.helpers import link_networks, opt_in, share_across

    link = link_networks(world.operator_a, world.operator_b)
    for value in HOSTILE:
        member = make_member(world.net_b, make_user(name=value))
        share_across(member, "current_work", current_employer="ひかり製作所")
        opt_in(member, link)
    assert (
        world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/links/people/").status_code == 200
    )

    response = world.client(world.operator_b).get(f"/n/{world.net_b.slug}/links/disclosures.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = cells(response.content, "utf-8-sig")
    assert_no_formula(rows)
    shown = {cell.removeprefix("'") for row in rows for cell in row}
    assert {value.strip() for value in HOSTILE} <= {cell.strip() for cell in shown}


@pytest.mark.parametrize(
    ("encoding", "codec"), [("", "utf-8-sig"), ("shift_jis", "cp932")], ids=["utf-8", "shift_jis"]
)
def test_the_messages_of_a_shared_room_come_as_text(
    world: World, encoding: str, codec: str
) -> None:
    from tsunagu.collab.tests.helpers import join, link_networks, open_room, say

    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    room = open_room(world.operator_b, link)
    for value in HOSTILE:
        member = make_member(world.net_b, make_user(name=value))
        join(member, room)
        say(member, room, value.strip() or "x")

    response = world.client(world.operator_b).get(
        f"/n/{world.net_b.slug}/links/rooms/{room.pk}/messages.csv", {"encoding": encoding}
    )

    assert response.status_code == 200
    rows = cells(response.content, codec)
    assert_no_formula(rows)
    assert len(rows) == 1 + len(HOSTILE)
    shown = {cell.removeprefix("'") for row in rows for cell in row}
    assert {value.strip() for value in HOSTILE} <= {cell.strip() for cell in shown}
