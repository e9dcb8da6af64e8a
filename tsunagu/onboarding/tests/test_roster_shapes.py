"""Rosters shaped as HR offices really export them: a title, a date line and blank rows above the
header, a merged title cell, several sheets, a header far down; text in full-width and half-width
forms. Every field of every row is checked as it is stored."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scopes_disabled
from openpyxl import Workbook

from tsunagu.onboarding.models import ImportBatch, Invitation
from tsunagu.onboarding.roster import read_roster
from tsunagu.testing.world import World

from .test_roster_import import invitations

pytestmark = pytest.mark.django_db

HEADER = ["社員番号", "氏名", "フリガナ", "メールアドレス", "最終所属", "役職", "入社日", "退職日"]
ROWS = [
    ["A0012", "渡邊　美咲", "ﾜﾀﾅﾍﾞ ﾐｻｷ", "ｍｉｓａｋｉ．ｗ＠ｅｘａｍｐｌｅ．ｊｐ", "ＩＴ企画部",
     "  課長  ", "平成２０年４月１日", "2023/3/31"],
    ["A0013", "髙橋 健太", "タカハシ　ケンタ", "kenta.t@example.jp", "営業部　第１課", "",
     datetime.datetime(2015, 4, 1), datetime.datetime(2023, 3, 31)],
]  # fmt: skip
# What each row must become: full-width letters and digits half-width, half-width kana
# full-width, the ideographic space a space, no surrounding spaces; kanji as written (邊, 髙).
EXPECTED = {
    "misaki.w@example.jp": {
        "name": "渡邊 美咲", "name_kana": "ワタナベ ミサキ", "department": "IT企画部",
        "title": "課長", "joined_on": datetime.date(2008, 4, 1),
        "left_on": datetime.date(2023, 3, 31), "role": "alumni",
    },
    "kenta.t@example.jp": {
        "name": "髙橋 健太", "name_kana": "タカハシ ケンタ", "department": "営業部 第1課",
        "title": "", "joined_on": datetime.date(2015, 4, 1),
        "left_on": datetime.date(2023, 3, 31), "role": "alumni",
    },
}  # fmt: skip


def workbook(*sheets: tuple[str, list[list[object]]], merge_title: bool = False) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge_title:
            sheet.merge_cells("A1:H1")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TITLED = [
    ["退職者一覧\u30002023年3月末現在"],
    ["作成日：令和5年4月3日", None, None, None, None, None, "人事部"],
    [],
    HEADER,
    *ROWS,
]


def upload(client: Client, world: World, data: bytes, name: str):
    response = client.post(
        f"/n/{world.net_a.slug}/manage/import/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def chosen_mapping(page: str) -> dict[str, str]:
    found = re.finditer(
        r'<select id="map-(\w+)" name="\w+">.*?(?:<option value="(\d+)" selected>|</select>)',
        page,
        re.S,
    )
    return {m[1]: m[2] or "" for m in found}


def import_all(client: Client, url: str) -> None:
    page = client.get(url).content.decode()
    response = client.post(url, {**chosen_mapping(page), "action": "import"})
    assert response.status_code == 302, response.content.decode()[:3000]


def assert_stored(world: World) -> None:
    stored = invitations(world)
    assert set(stored) == set(EXPECTED)
    for email, fields in EXPECTED.items():
        invitation: Invitation = stored[email]
        assert {name: getattr(invitation, name) for name in fields} == fields, email


def test_a_title_a_date_line_and_a_blank_row_above_the_header_are_skipped(world: World) -> None:
    client = world.client(world.operator_a)
    data = workbook(("退職者一覧", TITLED), ("集計", [["合計", 2]]), merge_title=True)

    url = upload(client, world, data, "退職者一覧.xlsx")
    page = client.get(url).content.decode()

    assert "シート「退職者一覧」の4行目" in page  # says where the names of the columns were
    assert "data-header-missing" not in page
    mapping = chosen_mapping(page)
    assert mapping["email"] == "3" and mapping["name"] == "1" and mapping["name_kana"] == "2"
    import_all(client, url)
    assert_stored(world)


def test_the_roster_is_found_on_the_second_sheet_behind_a_cover(world: World) -> None:
    data = workbook(("表紙", [["退職者名簿"], ["社外秘"]]), ("名簿", [[], HEADER, *ROWS]))

    sheet = read_roster(data)

    assert (sheet.sheet_names, sheet.sheet_index, sheet.header_line) == (["表紙", "名簿"], 1, 2)
    assert [line for line, _cells in sheet.rows()] == [3, 4]


def test_with_two_sheets_of_people_the_first_is_read_and_the_other_offered(world: World) -> None:
    client = world.client(world.operator_a)
    second = [HEADER, ["B1", "浜田 優", "ハマダ ユウ", "yu@example.jp", "総務部", "", "", ""]]
    data = workbook(("2022年度", TITLED), ("2023年度", second))

    url = upload(client, world, data, "退職者.xlsx")
    page = client.get(url).content.decode()
    assert "「2023年度」" in page and "data-other-sheets" in page

    response = client.post(url, {"action": "reread", "sheet": "1", "header_line": ""})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "シート「2023年度」の1行目" in page
    import_all(client, url)
    assert set(invitations(world)) == {"yu@example.jp"}
    assert invitations(world)["yu@example.jp"].name == "浜田 優"


def test_a_header_on_row_200_is_not_guessed_and_the_operator_chooses_it(world: World) -> None:
    client = world.client(world.operator_a)
    notes = [[f"備考 {n}"] for n in range(199)]
    data = workbook(("Sheet1", [*notes, HEADER, *ROWS]))

    url = upload(client, world, data, "名簿.xlsx")
    page = client.get(url).content.decode()
    assert "data-header-missing" in page  # says so instead of importing notes as people

    bad = client.post(url, {"action": "reread", "header_line": "二百"})
    assert bad.status_code == 400 and "整数" in bad.content.decode()
    beyond = client.post(url, {"action": "reread", "header_line": "5000"})
    assert beyond.status_code == 400 and "5000行目" in beyond.content.decode()
    with scopes_disabled():
        batch = ImportBatch.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    assert batch.header_line is None  # nothing changed by the refused choices

    assert client.post(url, {"action": "reread", "header_line": "200"}).status_code == 302
    page = client.get(url).content.decode()
    assert "の200行目" in page and "data-header-missing" not in page
    import_all(client, url)
    assert_stored(world)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("cp932", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")],
)
def test_csv_with_a_title_above_the_header_in_every_encoding(
    world: World, encoding: str, bom: bytes
) -> None:
    client = world.client(world.operator_a)
    lines = ["退職者一覧\u30002023年3月末現在", "", ",".join(HEADER)]
    for row in ROWS:
        cells = [c.strftime("%Y/%m/%d") if isinstance(c, datetime.datetime) else c for c in row]
        lines.append(",".join(str(c) for c in cells))
    data = bom + ("\r\n".join(lines) + "\r\n").encode(encoding)

    url = upload(client, world, data, "退職者.csv")
    assert "3行目を見出し" in client.get(url).content.decode()
    import_all(client, url)
    assert_stored(world)


def test_a_workbook_with_no_header_anywhere_says_so(world: World) -> None:
    client = world.client(world.operator_a)
    data = workbook(("Sheet1", [["メモ"], ["a", "b"], ["c", "d"]]))

    url = upload(client, world, data, "メモ.xlsx")
    page = client.get(url).content.decode()

    assert "data-header-missing" in page
    assert "メールアドレス" in page  # the words a header is recognised by are named
