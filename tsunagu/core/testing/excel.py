"""Workbooks written the way Excel saves them, for tests and benchmarks of what HR uploads.

openpyxl writes each text inline in its cell; Excel keeps every text once in a table of shared
strings that cells point into, stores a typed date as a serial number with a date format, and
keeps the reading (furigana) it saw typed as phonetic runs beside the text. Files written here
have all three, and as many sheets as asked.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "application/vnd.openxmlformats-package"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
EPOCH = datetime.date(1899, 12, 30)


@dataclass(frozen=True)
class Furigana:
    """A text with the reading Excel kept when it was typed with an IME (氏名 with フリガナ)."""

    text: str
    reading: str


@dataclass(frozen=True)
class Runs:
    """A text in runs of different formatting (part of it in bold)."""

    parts: tuple[str, ...]


Cell = str | int | float | datetime.date | Furigana | Runs | None


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list[Cell]]]  # (row number, cells from column A)
    merged: tuple[str, ...] = ()  # ranges such as "A1:G1"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class _Strings:
    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def index(self, xml: str) -> int:
        return self.items.setdefault(xml, len(self.items))


def _string_xml(value: str | Furigana | Runs) -> str:
    if isinstance(value, Furigana):
        return (
            f"<t>{escape(value.text)}</t>"
            f'<rPh sb="0" eb="{len(value.text)}"><t>{escape(value.reading)}</t></rPh>'
            '<phoneticPr fontId="0" type="noConversion"/>'
        )
    if isinstance(value, Runs):
        return "".join(
            f'<r>{"<rPr><b/></rPr>" if i % 2 else ""}<t xml:space="preserve">{escape(part)}</t></r>'
            for i, part in enumerate(value.parts)
        )
    return f'<t xml:space="preserve">{escape(value)}</t>'


def _cell(ref: str, value: Cell, strings: _Strings) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="1"><v>{(value - EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="s"><v>{strings.index(_string_xml(value))}</v></c>'


def excel_workbook(sheets: list[Sheet]) -> bytes:
    strings = _Strings()
    worksheets = []
    for sheet in sheets:
        rows = "".join(
            f'<row r="{number}">'
            + "".join(_cell(f"{_column(i)}{number}", v, strings) for i, v in enumerate(cells))
            + "</row>"
            for number, cells in sheet.rows
        )
        merged = "".join(f'<mergeCell ref="{r}"/>' for r in sheet.merged)
        merged = f'<mergeCells count="{len(sheet.merged)}">{merged}</mergeCells>' if merged else ""
        # Excel writes the used range first; without it a reader has to find it by reading all.
        last_row = max((number for number, _cells in sheet.rows), default=1)
        last_column = _column(max((len(cells) for _n, cells in sheet.rows), default=1) - 1)
        dimension = f'<dimension ref="A1:{last_column}{last_row}"/>'
        worksheets.append(
            f'<worksheet xmlns="{MAIN}">{dimension}<sheetData>{rows}</sheetData>{merged}'
            "</worksheet>"
        )
    count = len(strings.items)
    table = "".join(f"<si>{xml}</si>" for xml in strings.items)
    overrides = [("workbook.xml", "sheet.main"), ("sharedStrings.xml", "sharedStrings"),
                 ("styles.xml", "styles")]  # fmt: skip
    overrides += [(f"worksheets/sheet{i}.xml", "worksheet") for i in range(1, len(sheets) + 1)]
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{PACKAGE}.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="/xl/{part}" ContentType="{OFFICE}.{kind}+xml"/>'
                for part, kind in overrides
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            + "".join(
                f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, s in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="游ゴシック"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs><cellXfs count="2">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '</cellXfs><cellStyles count="1">'
            '<cellStyle name="標準" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{table}</sst>'
        ),
    }
    for i, xml in enumerate(worksheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}')
    return buffer.getvalue()
