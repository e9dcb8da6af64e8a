"""Roster files as HR departments really send them, made in the tests."""

from __future__ import annotations

import datetime
import io

HEADER = ["氏名", "フリガナ", "メールアドレス", "最終所属", "役職", "入社日", "退職日"]
PEOPLE = [
    ["田中 花子", "タナカ ハナコ", "hanako.tanaka@example.jp", "営業部 第一課", "課長",
     "平成20年4月1日", "H30.3.31"],
    ["鈴木　一郎", "ｽｽﾞｷ ｲﾁﾛｳ", "Ichiro.Suzuki@Example.JP", "人事部", "", "2012/4/1",
     "令和元年6月30日"],
    ["高橋 健太", "タカハシ ケンタ", "kenta.takahashi@example.jp", "経理部", "主任", "2015-04-01",
     "2024年3月31日"],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False,
              header: list[str] | None = None, newline: str = "\r\n") -> bytes:  # fmt: skip
    lines = [header or HEADER, *rows]
    text = newline.join(",".join(_quote(c) for c in row) for row in lines) + newline
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _quote(cell: str) -> str:
    return f'"{cell.replace(chr(34), chr(34) * 2)}"' if any(c in cell for c in ',"\n') else cell


def xlsx_bytes(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "退職者名簿"
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_people() -> list[list[object]]:
    return [
        ["田中 花子", "タナカ ハナコ", "hanako.tanaka@example.jp", "営業部 第一課", "課長",
         datetime.datetime(2008, 4, 1), datetime.datetime(2018, 3, 31)],
        ["山本 翔太", "ヤマモト ショウタ", "shota.yamamoto@example.jp", "開発部", "",
         "H25.4.1", datetime.datetime(2023, 9, 30)],
    ]  # fmt: skip
