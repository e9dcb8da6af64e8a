"""Reading a roster (退職者名簿) that HR exported from Excel: CSV in any of the encodings Japanese
offices use, or an .xlsx workbook; mapping its columns; validating every row."""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.core.text import has_control, normalise_width, one_line, visible
from tsunagu.tenancy.models import Role

from .dates import DateError, parse_date
from .workbook import Workbook

MAX_BYTES = 5 * 1024 * 1024  # the documented limit: 5 MB
MAX_ROWS = 50_000
# HR's files often carry a title, a date line or blank rows above the header: it is looked for, by
# its words, in this many rows at the top of the sheet.
HEADER_SEARCH_ROWS = 20
EMAIL_MAX = 254  # Invitation.email
PREVIEW_ROWS = 10


class RosterError(Exception):
    """A file that cannot be read at all; the message is for the operator."""


FIELDS: list[tuple[str, Promise]] = [
    ("email", gettext_lazy("E-mail")),
    ("name", gettext_lazy("Name")),
    ("name_kana", gettext_lazy("Name in kana")),
    ("name_romaji", gettext_lazy("Name in romaji")),
    ("department", gettext_lazy("Last department")),
    ("title", gettext_lazy("Last title")),
    ("joined_on", gettext_lazy("Joined the company")),
    ("left_on", gettext_lazy("Left the company")),
    ("role", gettext_lazy("Role")),
]
FIELD_NAMES = [name for name, _label in FIELDS]
TEXT_FIELDS = ["name", "name_kana", "name_romaji", "department", "title"]

# Header words, checked in this order: "氏名（カナ）" is the kana column, not the name column.
GUESSES: list[tuple[str, tuple[str, ...]]] = [
    ("name_kana", ("カナ", "かな", "ふりがな", "フリガナ", "よみ", "kana", "furigana")),
    ("name_romaji", ("ローマ字", "romaji", "英字", "alphabet")),
    ("email", ("メール", "mail", "eメール")),
    ("joined_on", ("入社", "joined", "hire", "入構")),
    ("left_on", ("退職", "退社", "離職", "left", "leaving", "leave")),
    ("department", ("部署", "所属", "部門", "department", "dept", "division")),
    ("title", ("役職", "職位", "title", "position")),
    ("role", ("区分", "種別", "role", "type")),
    ("name", ("氏名", "名前", "姓名", "name", "fullname")),
]

ROLE_WORDS = {
    Role.ALUMNI: {"", "alumni", "アルムナイ", "退職者", "ob", "og", "ob/og", "卒業生", "元社員"},
    Role.EMPLOYEE: {"employee", "社員", "現役", "現役社員", "従業員", "在籍"},
}


NumberedRows = Iterator[tuple[int, list[object]]]  # (line or row in the file, cells)


def _no_rows() -> NumberedRows:
    return iter(())


@dataclass
class Sheet:
    """A roster's header and a way to read its people, from the file, as often as needed: the
    rows are never all in memory at once (a large company's leavers list has 50,000)."""

    kind: str  # "csv" or "xlsx"
    encoding: str
    headers: list[str]
    read_rows: Callable[[], NumberedRows] = _no_rows  # the rows below the header
    header_line: int = 1  # the line (CSV) or row (Excel) of the header
    header_found: bool = True  # False: no row looked like a header; the first one is used
    sheet_names: list[str] = field(default_factory=list)  # of a workbook
    sheet_index: int = 0
    sheets_with_header: list[int] = field(default_factory=list)
    top: list[tuple[int, list[str]]] = field(default_factory=list)  # rows to pick a header from
    close: Callable[[], None] = lambda: None  # frees what the reading holds (a workbook)

    def rows(self) -> NumberedRows:
        """The people's rows, not blank, read again from the file; RosterError past MAX_ROWS."""
        rows = self.read_rows()
        for count, row in enumerate(rows, start=1):
            if count > MAX_ROWS:
                total = count + sum(1 for _row in rows)  # counted, for the operator to split it
                raise RosterError(
                    _("The file has %(rows)d rows; at most %(max)d can be imported at once.")
                    % {"rows": total, "max": MAX_ROWS}
                )
            yield row

    def first(self, count: int) -> list[tuple[int, list[object]]]:
        rows = self.rows()
        return [row for row, _n in zip(rows, range(count), strict=False)]


@dataclass
class Row:
    line: int
    email: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class Rejection:
    line: int
    reason: str
    cells: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "reason": self.reason, "cells": self.cells}


@dataclass
class Checked:
    rows: list[Row]
    rejections: list[Rejection]


@dataclass
class Summary:
    """What checking every row under one mapping found: counts and the first refusals."""

    mapping: dict[str, int]
    rows: int = 0  # not blank
    valid: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)  # the first SHOWN_REJECTIONS

    def as_dict(self) -> dict[str, object]:
        return {
            "mapping": self.mapping,
            "rows": self.rows,
            "valid": self.valid,
            "rejected": self.rejected,
            "rejections": [r.as_dict() for r in self.rejections],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        return cls(
            mapping={k: int(v) for k, v in data["mapping"].items()},
            rows=int(data["rows"]),
            valid=int(data["valid"]),
            rejected=int(data["rejected"]),
            rejections=[
                Rejection(int(r["line"]), r["reason"], r["cells"]) for r in data["rejections"]
            ],
        )


def read_roster(data: bytes, *, sheet: int | None = None, header_line: int | None = None) -> Sheet:
    """Reads the file. Without ``sheet`` the first sheet with a header is read; without
    ``header_line`` the header is the row among the first 20 whose words name the most fields."""
    if not data.strip():
        raise RosterError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise RosterError(
            _("The file is larger than %(mb)d MB. Split it into several files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if data[:4] == b"PK\x03\x04":
        found = _read_xlsx(data, sheet, header_line)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload it again.")
        )
    else:
        found = _read_csv(data, header_line)
    # Headers and cells are shown and stored as they were found: their control characters as �.
    found.headers = [visible(h) for h in found.headers]
    try:
        if not found.headers or not any(h.strip() for h in found.headers):
            raise RosterError(_("The file has no header row."))
        if not found.first(1):
            raise RosterError(_("The file has a header row but no people in it."))
    except BaseException:
        found.close()
        raise
    return found


def header_score(cells: list[object]) -> int:
    """How many fields a row's words name: a header names several, a title at most one."""
    return len(guess_mapping([cell_text(c) for c in cells]))


def find_header(top: list[tuple[int, list[object]]]) -> int | None:
    """The line of the row that names the most fields (the first such row), if it names two."""
    best_line, best = None, 1
    for line, cells in top:
        score = header_score(cells)
        if score > best:
            best_line, best = line, score
    return best_line


def _split(
    numbered: Callable[[], NumberedRows],
    header_line: int | None,
    top: list[tuple[int, list[object]]],
) -> tuple[list[str], Callable[[], NumberedRows], int, bool]:
    """Headers, the rows below them, the header's line, and whether it was found by its words.
    The header is the row of ``top`` that names the most fields, or the chosen line."""
    found = True
    if header_line is None:
        header_line = find_header(top)
        if header_line is None:
            found = False
            header_line = top[0][0] if top else 1
    line = header_line
    headers: list[str] = []
    for number, cells in numbered():
        if number == line:
            headers = [cell_text(c).strip() for c in cells]
            break
        if number > line:
            break
    if not headers:
        raise RosterError(
            _("Row %(line)d is empty or beyond the end of the file: choose another header row.")
            % {"line": header_line}
        )

    def below() -> NumberedRows:
        return ((number, cells) for number, cells in numbered() if number > line)

    return headers, below, header_line, found


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without a byte-order mark), UTF-16 with one, or Shift_JIS (CP932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", "UTF-8 (BOM)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", "UTF-16")
    if data[:10000].count(b"\x00") > 5:  # a few are cells to refuse; many, UTF-16 or no text
        raise RosterError(_("This is not a text file. Upload a CSV or an Excel (.xlsx) file."))
    for encoding, label in (("utf-8", "UTF-8"), ("cp932", "Shift_JIS")):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise RosterError(
        _(
            "The characters in this file cannot be read. Save it as CSV in UTF-8 or "
            "Shift_JIS and upload it again."
        )
    )


def _strict(data: bytes, encoding: str, label: str) -> tuple[str, str]:
    try:
        return data.decode(encoding), label
    except UnicodeDecodeError:
        raise RosterError(
            _(
                "The characters in this file cannot be read. Save it as CSV in UTF-8 or "
                "Shift_JIS and upload it again."
            )
        ) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _read_csv(data: bytes, header_line: int | None = None) -> Sheet:
    text, encoding = decode(data)
    if len(_CONTROL.findall(text[:10000])) > 5:
        raise RosterError(_("This is not a text file. Upload a CSV or an Excel (.xlsx) file."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","

    def numbered() -> NumberedRows:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        start = 1
        try:
            for cells in reader:
                line, start = start, reader.line_num + 1
                if any(c.strip() for c in cells):
                    yield line, list(cells)
        except csv.Error:
            raise RosterError(
                _("The CSV file is malformed near line %(line)d.") % {"line": start}
            ) from None

    top = [row for row, _n in zip(numbered(), range(HEADER_SEARCH_ROWS), strict=False)]
    if not top:
        return Sheet("csv", encoding, [])
    headers, rows, line, found = _split(numbered, header_line, top)
    return Sheet(
        "csv", encoding, headers, rows, header_line=line, header_found=found,
        top=[(n, [visible(cell_text(c)) for c in cells]) for n, cells in top],
    )  # fmt: skip


# What a workbook that is not one, or is broken, raises while it is read. SyntaxError: XML that
# is not well-formed (a control character written into a cell).
_BROKEN = (
    zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, SyntaxError,
)  # fmt: skip


def _read_xlsx(data: bytes, chosen: int | None = None, header_line: int | None = None) -> Sheet:
    # A formula cell is read as its text ("=HYPERLINK(...)"), never computed: the row is then
    # refused like a CSV row with a formula, and the operator pastes the values instead.
    try:
        workbook = Workbook(data)
    except _BROKEN:
        raise RosterError(_("This file could not be read as an Excel workbook (.xlsx).")) from None
    try:
        names = workbook.sheet_names
        tops = [
            [row for row, _n in zip(workbook.rows(i), range(HEADER_SEARCH_ROWS), strict=False)]
            for i in range(len(names))
        ]
        with_header = [i for i, top in enumerate(tops) if find_header(top) is not None]
        if chosen is None or not 0 <= chosen < len(names):
            chosen = with_header[0] if with_header else 0
        index = chosen

        def numbered() -> NumberedRows:
            try:
                yield from workbook.rows(index)
            except _BROKEN:
                raise RosterError(
                    _("This file could not be read as an Excel workbook (.xlsx).")
                ) from None

        top = tops[chosen]
        if not top:
            workbook.close()
            return Sheet("xlsx", "", [], sheet_names=names, sheet_index=chosen)
        headers, rows, line, found = _split(numbered, header_line, top)
    except _BROKEN:
        workbook.close()
        raise RosterError(_("This file could not be read as an Excel workbook (.xlsx).")) from None
    except BaseException:
        workbook.close()
        raise
    return Sheet(
        "xlsx", "", headers, rows, header_line=line, header_found=found, sheet_names=names,
        sheet_index=chosen, sheets_with_header=with_header,
        top=[(n, [visible(cell_text(c)) for c in cells]) for n, cells in top],
        close=workbook.close,
    )  # fmt: skip


def _key(header: str) -> str:
    return re.sub(r"[\s_\-・･()（）]", "", unicodedata.normalize("NFKC", header)).lower()


def guess_mapping(headers: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _key(header)
        for name, words in GUESSES:
            if name not in mapping and any(w.lower() in key for w in words):
                mapping[name] = index
                break
    return mapping


def clean_mapping(raw: dict[str, str | None], columns: int) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for name in FIELD_NAMES:
        value = raw.get(name)
        if value in (None, ""):
            continue
        try:
            index = int(str(value))
        except ValueError:
            continue
        if 0 <= index < columns:
            mapping[name] = index
    return mapping


def mapping_errors(mapping: dict[str, int]) -> list[str]:
    errors = []
    if "email" not in mapping:
        errors.append(_("Choose the column that holds the e-mail addresses."))
    used = list(mapping.values())
    if len(used) != len(set(used)):
        errors.append(_("Each column can be used for one field only."))
    return errors


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text(value: object) -> str:
    """A cell as Japanese offices expect it stored: ＩＴ企画部 → IT企画部, ｶﾅ → カナ, the
    ideographic space a space, no space around or doubled. Kanji are never touched."""
    return " ".join(normalise_width(cell_text(value)).split())


SHOWN_REJECTIONS = 20


def check_rows(sheet: Sheet, mapping: dict[str, int], member_emails: Iterable[str]) -> Checked:
    """Every row checked, in two lists (for a file known to be small)."""
    checked = Checked([], [])
    for item in iter_checked(sheet.rows(), mapping, member_emails):
        if isinstance(item, Row):
            checked.rows.append(item)
        else:
            checked.rejections.append(item)
    return checked


def summarise(sheet: Sheet, mapping: dict[str, int], member_emails: Iterable[str]) -> Summary:
    """Checks every row, reading the file once, and keeps only the counts and first refusals."""
    summary = Summary(mapping=dict(mapping))

    def counted() -> NumberedRows:
        for row in sheet.rows():
            summary.rows += 1
            yield row

    for item in iter_checked(counted(), mapping, member_emails):
        if isinstance(item, Row):
            summary.valid += 1
        else:
            summary.rejected += 1
            if len(summary.rejections) < SHOWN_REJECTIONS:
                summary.rejections.append(item)
    return summary


def iter_checked(
    rows: Iterable[tuple[int, list[object]]], mapping: dict[str, int], member_emails: Iterable[str]
) -> Iterator[Row | Rejection]:
    """Validates each row as it is read; the first row with an address wins over later ones.
    Blank rows (under the mapping) give nothing."""
    members = set(member_emails)
    seen: dict[str, int] = {}
    for line, cells in rows:

        def get(name: str, cells: list[object] = cells) -> object:
            index = mapping.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        def raw(cells: list[object] = cells) -> list[str]:
            return [visible(cell_text(c)) for c in cells]

        try:
            row = _check_row(line, get)
        except ValidationError as error:
            yield Rejection(line, " ".join(error.messages), raw())
            continue
        if row is None:
            continue
        if row.email in seen:
            reason = _("The same e-mail address is on line %(line)d.") % {"line": seen[row.email]}
            yield Rejection(line, reason, raw())
            continue
        seen[row.email] = line
        if row.email in members:
            yield Rejection(line, _("Already a member of this network."), raw())
            continue
        yield row


def _check_row(line: int, get: object) -> Row | None:
    assert callable(get)
    values = {name: get(name) for name in FIELD_NAMES}
    if not any(cell_text(v).strip() for v in values.values()):
        return None  # a blank row
    for name, value in values.items():
        if isinstance(value, str) and value.strip().startswith("="):
            label = dict(FIELDS)[name]
            raise ValidationError(
                _("%(field)s contains a spreadsheet formula; enter the value itself.")
                % {"field": label}
            )
        if isinstance(value, str) and has_control(one_line(value)):  # breaks become spaces
            raise ValidationError(
                _(
                    "%(field)s contains control characters (such as NUL, shown as �); "
                    "remove them from the file."
                )
                % {"field": dict(FIELDS)[name]}
            )
    email = unicodedata.normalize("NFKC", _text(values["email"])).lower()
    if not email:
        raise ValidationError(_("The e-mail address is missing."))
    try:
        validate_email(email)
        if len(email) > EMAIL_MAX:  # the validator allows 320; the address column holds 254
            raise ValidationError("too long")
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address.") % {"value": email[:100]}
        ) from None
    row = Row(line, email)
    for name in TEXT_FIELDS:
        text = _text(values[name])
        if name in ("name_kana", "name_romaji"):
            text = unicodedata.normalize("NFKC", text)
        if len(text) > 100:
            raise ValidationError(
                _("%(field)s is longer than 100 characters.") % {"field": dict(FIELDS)[name]}
            )
        row.values[name] = text
    for name in ("joined_on", "left_on"):
        value = values[name]
        try:
            row.values[name] = parse_date(value if not isinstance(value, str) else value.strip())
        except DateError:
            raise ValidationError(
                _("%(field)s “%(value)s” is not a date (write it like 2018/4/1 or 平成30年4月1日).")
                % {"field": dict(FIELDS)[name], "value": cell_text(value)[:40]}
            ) from None
    joined, left = row.values["joined_on"], row.values["left_on"]
    if joined and left and left < joined:  # type: ignore[operator]
        raise ValidationError(_("The leaving date is before the joining date."))
    row.values["role"] = _role(_text(values["role"]))
    return row


def _role(text: str) -> str:
    word = unicodedata.normalize("NFKC", text).lower()
    for role, words in ROLE_WORDS.items():
        if word in words:
            return role
    raise ValidationError(
        _("Unknown role “%(value)s”: write 退職者 (alumni) or 社員 (employee).")
        % {"value": text[:40]}
    )
