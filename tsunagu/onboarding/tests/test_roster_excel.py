"""Workbooks as Excel saves them: texts in the table of shared strings (read from a temporary
file as the rows are read, never all at once), the readings Excel kept beside typed names, text
in runs of formatting, typed dates. See onboarding/workbook.py."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.reader.strings import read_string_table

from tsunagu.core.testing.excel import Furigana, Runs, Sheet, excel_workbook
from tsunagu.onboarding.workbook import DiskStrings
from tsunagu.testing.world import World

from .test_roster_import import invitations
from .test_roster_shapes import import_all, upload

pytestmark = pytest.mark.django_db

HEADER = ["氏名", "フリガナ", "メールアドレス", "最終所属", "入社日", "退職日"]


def roster(*people: list[object]) -> bytes:
    rows = [(1, ["退職者一覧　2023年3月末現在"]), (3, HEADER)]
    rows += [(number, list(cells)) for number, cells in enumerate(people, start=4)]
    return excel_workbook(
        [Sheet("退職者名簿", rows, merged=("A1:F1",)), Sheet("備考", [(1, ["社外秘"])])]  # type: ignore[arg-type]
    )


def test_a_workbook_saved_by_excel_imports_without_the_readings_excel_kept(world: World) -> None:
    client = world.client(world.operator_a)
    data = roster(
        [Furigana("渡邉 美咲", "ワタナベ ミサキ"), "ﾜﾀﾅﾍﾞ ﾐｻｷ", "misaki@example.jp",
         Runs(("ＩＴ", "企画部")), datetime.date(2008, 4, 1), "平成31年3月31日"],
        [Furigana("髙橋 健太", "タカハシ ケンタ"), "タカハシ　ケンタ", "kenta@example.jp",
         "営業部", datetime.date(2015, 4, 1), datetime.date(2023, 3, 31)],
    )  # fmt: skip

    url = upload(client, world, data, "退職者一覧.xlsx")
    page = client.get(url).content.decode()
    assert "シート「退職者名簿」の3行目" in page
    import_all(client, url)

    stored = invitations(world)
    misaki, kenta = stored["misaki@example.jp"], stored["kenta@example.jp"]
    assert (misaki.name, misaki.name_kana) == (
        "渡邉 美咲",
        "ワタナベ ミサキ",
    )  # no reading glued on
    assert misaki.department == "IT企画部"  # the runs joined, then made half-width
    assert (misaki.joined_on, misaki.left_on) == (
        datetime.date(2008, 4, 1),
        datetime.date(2019, 3, 31),
    )
    assert (kenta.name, kenta.joined_on, kenta.left_on) == (
        "髙橋 健太", datetime.date(2015, 4, 1), datetime.date(2023, 3, 31),
    )  # fmt: skip


def test_shared_strings_read_from_disk_are_the_texts_openpyxl_reads() -> None:
    texts = [
        "田中 花子", Furigana("齋藤 一郎", "サイトウ イチロウ"), Runs(("IT", "企画部", " 第1課")),
        "  前後に空白  ", "改行\nのある備考", "_x005F_x000D_ を含む", "𠮷野 太郎", "",
    ]  # fmt: skip
    data = excel_workbook([Sheet("S", [(1, texts)])])  # type: ignore[list-item]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        expected = read_string_table(archive.open("xl/sharedStrings.xml"))
        strings = DiskStrings(archive.open("xl/sharedStrings.xml"))
    try:
        assert list(strings) == expected
        assert expected[1] == "齋藤 一郎" and expected[2] == "IT企画部 第1課"
        assert strings[len(strings) - 1] == expected[-1]
        with pytest.raises(IndexError):
            strings[len(strings)]
    finally:
        strings.close()


def edited(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with its first sheet's XML changed."""
    changed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(item, content)
    return changed.getvalue()


def test_a_sheet_that_declares_its_size_as_one_cell_is_read_whole(world: World) -> None:
    # Some HR systems write the used range as "A1" whatever the size of the sheet.
    client = world.client(world.operator_a)
    data = roster(
        ["田中 花子", "タナカ ハナコ", "hanako@example.jp", "人事部", "", "2023/3/31"],
        ["山本 太郎", "ヤマモト タロウ", "taro@example.jp", "経理部", "", "2022/9/30"],
    )
    data = edited(data, b'<dimension ref="A1:F5"/>', b'<dimension ref="A1"/>')

    url = upload(client, world, data, "名簿.xlsx")
    import_all(client, url)

    stored = invitations(world)
    assert set(stored) == {"hanako@example.jp", "taro@example.jp"}
    assert stored["taro@example.jp"].department == "経理部"
    assert stored["taro@example.jp"].left_on == datetime.date(2022, 9, 30)


def test_a_cell_pointing_past_the_shared_strings_is_a_clear_refusal(world: World) -> None:
    data = roster(["田中 花子", "タナカ ハナコ", "hanako@example.jp", "人事部", "", ""])
    broken = edited(data, b'<c r="C4" t="s"><v>', b'<c r="C4" t="s"><v>9999')

    response = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/manage/import/",
        {"file": SimpleUploadedFile("名簿.xlsx", broken)},
    )

    assert response.status_code == 400
    assert "Excelブック（.xlsx）として読み込めませんでした" in response.content.decode()
    assert invitations(world) == {}
