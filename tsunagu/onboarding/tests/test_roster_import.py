"""Importing rosters as HR sends them: Shift_JIS and UTF-8 CSV, Excel; every bad row reported."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.testing.messages import EMPTY_FILE
from tsunagu.onboarding.dates import DateError, parse_date
from tsunagu.onboarding.models import ImportBatch, Invitation
from tsunagu.testing.world import World

from .files import HEADER, PEOPLE, csv_bytes, xlsx_bytes, xlsx_people

pytestmark = pytest.mark.django_db


def upload(client: Client, world: World, data: bytes, name: str = "名簿.csv"):
    return client.post(
        f"/n/{world.net_a.slug}/manage/import/",
        {"file": SimpleUploadedFile(name, data)},
    )


def upload_and_import(client: Client, world: World, data: bytes, name: str = "名簿.csv"):
    response = upload(client, world, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    mapping = {
        m[1]: m[2]
        for m in re.finditer(
            r'<select id="map-(\w+)" name="\w+">.*?(?:<option value="(\d+)" selected>|</select>)',
            page.content.decode(),
            re.S,
        )
    }
    fields = {name: (value or "") for name, value in mapping.items()}
    result = client.post(mapping_url, {**fields, "action": "import"})
    assert result.status_code == 302, result.content.decode()[:3000]
    return mapping_url


def invitations(world: World) -> dict[str, Invitation]:
    with scopes_disabled():
        return {i.email: i for i in Invitation.objects.filter(network=world.net_a)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成30年4月1日", datetime.date(2018, 4, 1)),
        ("H30.4.1", datetime.date(2018, 4, 1)),
        ("Ｈ３０．４．１", datetime.date(2018, 4, 1)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("R2/3/31", datetime.date(2020, 3, 31)),
        ("昭和63年4月1日", datetime.date(1988, 4, 1)),
        ("2018/4/1", datetime.date(2018, 4, 1)),
        ("2018-04-01", datetime.date(2018, 4, 1)),
        ("2018年4月1日", datetime.date(2018, 4, 1)),
        ("20180401", datetime.date(2018, 4, 1)),
        ("平成元年1月", datetime.date(1989, 1, 8)),
        ("", None),
    ],
)
def test_dates_in_western_and_japanese_era_forms(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["平成32年1月1日", "令和元年4月1日", "2018/2/30", "来年", "H30"])
def test_dates_that_do_not_exist_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text)


def test_shift_jis_roster_is_detected_previewed_and_imported(world: World) -> None:
    client = world.client(world.operator_a)
    response = upload(client, world, csv_bytes(PEOPLE, encoding="cp932"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Shift_JIS" in page
    assert "田中 花子" in page  # the preview
    assert "3人を取り込みます" in page
    upload_and_import(client, world, csv_bytes(PEOPLE, encoding="cp932"))
    found = invitations(world)
    assert set(found) == {
        "hanako.tanaka@example.jp",
        "ichiro.suzuki@example.jp",
        "kenta.takahashi@example.jp",
    }
    hanako = found["hanako.tanaka@example.jp"]
    assert hanako.name == "田中 花子"
    assert hanako.department == "営業部 第一課"
    assert hanako.joined_on == datetime.date(2008, 4, 1)
    assert hanako.left_on == datetime.date(2018, 3, 31)
    ichiro = found["ichiro.suzuki@example.jp"]
    assert ichiro.name == "鈴木 一郎"  # the full-width space becomes one space
    assert ichiro.name_kana == "スズキ イチロウ"  # half-width kana become full-width
    assert ichiro.left_on == datetime.date(2019, 6, 30)
    assert all(i.status == "new" for i in found.values())  # nobody is mailed by an import


def test_the_preview_shows_era_and_western_dates_as_dates(world: World) -> None:
    people = [
        ["田中 花子", "", "hanako@example.jp", "", "", "令和3年4月1日", "2021/4/1"],
        ["鈴木 一郎", "", "ichiro@example.jp", "", "", "Ｈ３０．４．１", "四月一日"],
    ]
    client = world.client(world.operator_a)
    response = upload(client, world, csv_bytes(people, encoding="cp932"))
    page = client.get(response["Location"]).content.decode()
    preview = page[page.index("data-preview") :]
    assert preview.count('<time datetime="2021-04-01">2021年4月1日</time>') == 2
    assert '<time datetime="2018-04-01">2018年4月1日</time>' in preview
    assert "<td>四月一日</td>" in preview  # unreadable: shown as written, the row refused


def test_utf8_with_bom_and_tab_separated_files_are_read(world: World) -> None:
    client = world.client(world.operator_a)
    data = csv_bytes(PEOPLE, bom=True).replace(b",", b"\t")
    upload_and_import(client, world, data, "roster.tsv")
    assert len(invitations(world)) == 3


def test_excel_workbook_with_date_cells_is_imported(world: World) -> None:
    client = world.client(world.operator_a)
    upload_and_import(client, world, xlsx_bytes(xlsx_people()), "退職者名簿.xlsx")
    found = invitations(world)
    assert found["hanako.tanaka@example.jp"].left_on == datetime.date(2018, 3, 31)
    assert found["shota.yamamoto@example.jp"].joined_on == datetime.date(2013, 4, 1)


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    client = world.client(world.operator_a)
    data = csv_bytes(PEOPLE, encoding="cp932")
    upload_and_import(client, world, data)
    before = {e: (i.pk, i.name, i.left_on, i.status) for e, i in invitations(world).items()}
    url = upload_and_import(client, world, data)
    after = {e: (i.pk, i.name, i.left_on, i.status) for e, i in invitations(world).items()}
    assert after == before
    page = client.get(url).content.decode()
    assert "0件追加、0件更新、3件変更なし、0件除外" in page


def test_a_corrected_row_updates_the_invitee(world: World) -> None:
    client = world.client(world.operator_a)
    upload_and_import(client, world, csv_bytes(PEOPLE))
    changed = [list(PEOPLE[0]), *PEOPLE[1:]]
    changed[0][3] = "営業本部"
    url = upload_and_import(client, world, csv_bytes(changed))
    assert invitations(world)["hanako.tanaka@example.jp"].department == "営業本部"
    assert "0件追加、1件更新、2件変更なし" in client.get(url).content.decode()


def test_every_rejected_row_is_reported_with_its_line_and_reason(world: World) -> None:
    make_member(world.net_a, make_user(email="member@example.jp", name="既存 会員"))
    rows = [
        PEOPLE[0],
        ["佐藤 美咲", "サトウ ミサキ", "misaki@@example", "総務部", "", "", ""],
        ["伊藤 大輔", "イトウ ダイスケ", "daisuke@example.jp", "総務部", "", "平成32年4月1日", ""],
        ["田中 花子", "タナカ ハナコ", "HANAKO.TANAKA@example.jp", "営業部", "", "", ""],
        ["既存 会員", "キゾン カイイン", "member@example.jp", "", "", "", ""],
        ['=HYPERLINK("http://evil.example/","クリック")', "", "evil@example.jp", "", "", "", ""],
        ["渡辺 さくら", "ワタナベ サクラ", "sakura@example.jp", "", "", "2020/4/1", "2019/3/31"],
        ["", "", "", "", "", "", ""],
        ["山本 翔太", "", "", "開発部", "", "", ""],
    ]
    client = world.client(world.operator_a)
    url = upload_and_import(client, world, csv_bytes(rows, encoding="cp932"))
    assert set(invitations(world)) == {"hanako.tanaka@example.jp"}
    page = client.get(url).content.decode()
    for line, reason in [
        (3, "有効なメールアドレスではありません"),
        (4, "日付ではありません"),
        (5, "2行目と同じメールアドレスです"),
        (6, "すでにこのネットワークのメンバーです"),
        (7, "表計算の数式が含まれています"),
        (8, "退職日が入社日より前になっています"),
        (10, "メールアドレスがありません"),
    ]:
        assert re.search(rf"<td>{line}</td><td>[^<]*{reason}", page), (line, reason)
    download = client.get(url + "rejected.csv")
    assert download.status_code == 200
    text = download.content.decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))
    assert records[0][:2] == ["行", "理由"]
    assert [r[0] for r in records[1:]] == ["3", "4", "5", "6", "7", "8", "10"]
    formula_row = next(r for r in records if r[0] == "7")
    assert formula_row[2].startswith("'=HYPERLINK")  # text in a spreadsheet, never a formula
    assert not any(cell.startswith("=") for r in records for cell in r)
    with scopes_disabled():
        assert AuditEntry.objects.filter(
            network=world.net_a, action=AuditAction.EXPORT_REJECTED_ROWS
        ).exists()


def test_an_address_too_long_to_store_is_a_rejected_row_not_a_failed_import(world: World) -> None:
    long_address = "a" * 250 + "@example.jp"  # valid in form, longer than an address column
    rows = [PEOPLE[0], ["長い 住所", "ナガイ ジュウショ", long_address, "総務部", "", "", ""]]
    client = world.client(world.operator_a)
    url = upload_and_import(client, world, csv_bytes(rows, encoding="cp932"))
    assert long_address not in invitations(world)
    assert len(invitations(world)) == 1
    page = client.get(url).content.decode()
    assert re.search(r"<td>3</td><td>[^<]*有効なメールアドレスではありません", page)


def test_a_thousand_duplicates_leave_one_invitee_and_a_thousand_reasons(world: World) -> None:
    rows = [["田中 花子", "", "hanako@example.jp", "営業部", "", "", ""]] * 1001
    client = world.client(world.operator_a)
    url = upload_and_import(client, world, csv_bytes(rows))
    assert list(invitations(world)) == ["hanako@example.jp"]
    with scopes_disabled():
        batch = ImportBatch.objects.get(network=world.net_a)
    assert len(batch.rejections) == 1000
    assert batch.rejections[-1]["line"] == 1002
    assert "1000件除外" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", EMPTY_FILE),
        (b"\r\n \r\n", "blank.csv", "ファイルが空です"),
        (b"x" * (5 * 1024 * 1024 + 1), "huge.csv", "5 MB"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "photo.csv",
            "テキストファイルではありません",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
        (b"PK\x03\x04broken zip", "broken.xlsx", "Excel"),
        (
            "氏名,メール\r\n".encode() + b"\x85\x20\xa0\xff\xfe\r\n",
            "broken.csv",
            "文字を読み取れません",
        ),
        ("氏名,メールアドレス\r\n".encode("cp932"), "header.csv", "一人も含まれていません"),
    ],
)
def test_bad_files_get_a_clear_message_and_import_nothing(
    world: World, data: bytes, name: str, message: str
) -> None:
    client = world.client(world.operator_a)
    response = upload(client, world, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    with scopes_disabled():
        assert not ImportBatch.objects.exists()
        assert not Invitation.objects.exists()


def test_too_many_rows_are_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tsunagu.onboarding.roster.MAX_ROWS", 5)
    rows = [["名前", "", f"p{i}@example.jp", "", "", "", ""] for i in range(6)]
    response = upload(world.client(world.operator_a), world, csv_bytes(rows))
    assert response.status_code == 400
    assert "6行" in response.content.decode()


def test_a_failure_during_the_import_leaves_nothing_half_done(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = world.client(world.operator_a)
    response = upload(client, world, csv_bytes(PEOPLE))

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tsunagu.onboarding.actions.record", broken_audit)
    client.raise_request_exception = False
    fields = {"email": "2", "name": "0", "left_on": "6"}
    failed = client.post(response["Location"], {**fields, "action": "import"})
    assert failed.status_code == 500
    assert not invitations(world)
    with scopes_disabled():
        assert ImportBatch.objects.get().state == "mapping"  # it can be imported again


def test_the_mapping_must_name_the_email_column(world: World) -> None:
    client = world.client(world.operator_a)
    response = upload(client, world, csv_bytes(PEOPLE))
    page = client.post(response["Location"], {"name": "0", "action": "import"})
    assert page.status_code == 400
    assert "メールアドレスの列を選んでください" in page.content.decode()
    assert not invitations(world)


def test_the_same_batch_cannot_be_imported_twice(world: World) -> None:
    client = world.client(world.operator_a)
    url = upload_and_import(client, world, csv_bytes(PEOPLE))
    again = client.post(url, {"email": "2", "action": "import"})
    assert again.status_code == 200  # the result page, nothing imported again
    assert len(invitations(world)) == 3


def test_only_operators_of_the_network_import(world: World) -> None:
    for member in (world.alumni_a, world.operator_b):
        response = upload(world.client(member), world, csv_bytes(PEOPLE))
        assert response.status_code in (302, 403)
        assert not invitations(world)
    client = world.client(world.operator_a)
    response = upload(client, world, csv_bytes(PEOPLE))
    other = world.client(world.operator_b)
    batch_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert other.get(f"/n/{world.net_b.slug}/manage/import/{batch_id}/").status_code == 404
    assert (
        other.get(f"/n/{world.net_b.slug}/manage/import/{batch_id}/rejected.csv").status_code == 404
    )


def test_the_roster_export_never_writes_a_formula(world: World) -> None:
    make_member(world.net_a, make_user(name='=HYPERLINK("http://evil.example/","押して")'))
    client = world.client(world.operator_a)
    text = client.get(f"/n/{world.net_a.slug}/manage/roster/export.csv").content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert '\'=HYPERLINK("http://evil.example/","押して")' in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_an_import_is_in_the_audit_log(world: World) -> None:
    client = world.client(world.operator_a)
    upload_and_import(client, world, csv_bytes(PEOPLE))
    with scopes_disabled():
        entry = AuditEntry.objects.get(network=world.net_a, action=AuditAction.IMPORT_ROSTER)
    assert entry.detail["created"] == 3
    page = client.get(f"/n/{world.net_a.slug}/manage/audit/").content.decode()
    assert "<td>名簿ファイルを取り込み" in page


def test_the_uploaded_file_is_not_kept_after_the_import(world: World, committed) -> None:
    from tsunagu.core.storage import private_storage

    client = world.client(world.operator_a)
    response = upload(client, world, csv_bytes(PEOPLE))
    with scopes_disabled():
        stored = ImportBatch.objects.get().file
    assert private_storage.exists(stored)
    with committed():
        client.post(response["Location"], {"email": "2", "name": "0", "action": "import"})
    assert not private_storage.exists(stored)
    assert "3件追加" in client.get(response["Location"]).content.decode()


def test_an_upload_never_imported_is_deleted_after_a_week(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tsunagu.core.storage import private_storage
    from tsunagu.onboarding.tasks import forget_abandoned_uploads

    client = world.client(world.operator_a)
    old = upload(client, world, csv_bytes(PEOPLE))
    recent = upload(client, world, csv_bytes(PEOPLE))
    with scopes_disabled():
        old_batch, recent_batch = ImportBatch.objects.order_by("id")
        ImportBatch.objects.filter(pk=old_batch.pk).update(
            created_at=timezone.now() - timedelta(days=8)
        )
    assert forget_abandoned_uploads() == 1
    assert not private_storage.exists(old_batch.file)
    assert private_storage.exists(recent_batch.file)
    page = client.get(old["Location"], follow=True).content.decode()
    assert "読み込めなくなりました。もう一度アップロードしてください" in page
    assert client.get(recent["Location"]).status_code == 200
    assert forget_abandoned_uploads() == 0


def test_a_waiting_applicant_in_the_roster_is_imported(world: World) -> None:
    applicant = make_user(email="hanako.tanaka@example.jp", name="田中 花子")
    make_member(world.net_a, applicant, status="pending")
    upload_and_import(world.client(world.operator_a), world, csv_bytes(PEOPLE))
    assert "hanako.tanaka@example.jp" in invitations(world)


def test_an_excel_formula_is_never_computed_and_its_row_is_refused(world: World) -> None:
    rows = [
        *xlsx_people(),
        ['=HYPERLINK("http://evil.example/","押して")', "", "evil@example.jp", "", "", "", ""],
    ]
    client = world.client(world.operator_a)
    url = upload_and_import(client, world, xlsx_bytes(rows), "名簿.xlsx")
    assert set(invitations(world)) == {"hanako.tanaka@example.jp", "shota.yamamoto@example.jp"}
    assert "表計算の数式が含まれています" in client.get(url).content.decode()
    text = client.get(url + "rejected.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert not any(line.split(",", 3)[-1].startswith("=") for line in text.splitlines())


# Control characters in cells: the row is refused and reported; nothing of them is stored.
WITH_CONTROLS = [
    PEOPLE[0],
    ["鈴木\x00一郎", "スズキ イチロウ", "ichiro@example.jp", "人事部", "", "", ""],
    ["高橋 健太", "タカハシ ケンタ", "kenta@example.jp", "経理部\x1b[31m", "", "", ""],
    ["伊藤 大輔", "イトウ\x7fダイスケ", "daisuke@example.jp", "", "", "", ""],
    ["山本 翔太", "ヤマモト\tショウタ", "shota@example.jp", "開発部\r\n第二課", "", "", ""],
]  # fmt: skip


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", True), ("utf-16", False), ("cp932", False), ("utf-8", False)],
    ids=["utf-8-bom", "utf-16", "shift_jis", "utf-8"],
)
def test_control_characters_in_cells_refuse_their_row_in_every_encoding(
    world: World, encoding: str, bom: bool
) -> None:
    header = ["氏名\x00", *HEADER[1:]]  # the header row is stored with the batch
    data = csv_bytes(WITH_CONTROLS, encoding=encoding, bom=bom, header=header)
    client = world.client(world.operator_a)

    url = upload_and_import(client, world, data)

    found = invitations(world)
    assert set(found) == {"hanako.tanaka@example.jp", "shota@example.jp"}
    assert found["shota@example.jp"].name_kana == "ヤマモト ショウタ"  # a tab is a space
    assert found["shota@example.jp"].department == "開発部 第二課"  # so is a line break
    page = client.get(url).content.decode()
    for line, field in [(3, "名前"), (4, "最終所属部署"), (5, "かな")]:
        assert re.search(rf"<td>{line}</td><td>[^<]*{field}[^<]*制御文字", page), line
    rejected = client.get(url + "rejected.csv").content.decode("utf-8-sig")
    assert "鈴木\ufffd一郎" in rejected  # the refused cell, shown as it was found
    with scopes_disabled():
        batch = ImportBatch.objects.get(network=world.net_a)
    stored = repr((batch.headers, batch.rejections))
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", stored)


def test_control_characters_in_workbook_cells_refuse_their_row(world: World) -> None:
    rows = [list(row) for row in xlsx_people()]
    rows[1][0] = "山本MARK翔太"
    data = _with_cell_text(xlsx_bytes(rows), b"MARK", "\x7f\u009b".encode())
    client = world.client(world.operator_a)

    url = upload_and_import(client, world, data, "退職者名簿.xlsx")

    assert set(invitations(world)) == {"hanako.tanaka@example.jp"}
    assert re.search(r"<td>3</td><td>[^<]*制御文字", client.get(url).content.decode())


def test_a_workbook_whose_cell_holds_a_nul_gets_a_clear_message(world: World) -> None:
    rows = [list(row) for row in xlsx_people()]
    rows[1][0] = "山本MARK翔太"
    data = _with_cell_text(xlsx_bytes(rows), b"MARK", b"&#0;")  # XML that is not well-formed

    response = upload(world.client(world.operator_a), world, data, "退職者名簿.xlsx")

    assert response.status_code == 400
    assert "Excel" in response.content.decode()
    with scopes_disabled():
        assert not ImportBatch.objects.exists()


def _with_cell_text(workbook: bytes, mark: bytes, text: bytes) -> bytes:
    """The workbook with ``text`` written into its XML where ``mark`` was, as another program
    than openpyxl (which refuses control characters) might write it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name).replace(mark, text))
    return out.getvalue()
