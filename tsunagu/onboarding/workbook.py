"""Opening an .xlsx workbook to read it row by row, with its shared strings kept on disk.

Excel stores each distinct text of a workbook once, in a table of shared strings that the cells
point into. openpyxl reads that whole table into a list before the first row, even in read-only
mode: for a leavers list of 50,000 people that is every name, address and department at once.
Here the table is streamed into a private temporary SQLite file as it is parsed, and each cell's
text is looked up by its number when its row is read (the recent ones kept in a small cache:
departments and titles repeat). The text is what openpyxl would give: plain and formatted runs
joined, the furigana (phonetic runs) left out.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Any

from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
INSERT_EVERY = 5_000
CACHED_STRINGS = 8_192


class DiskStrings:
    """The workbook's shared strings, looked up by number from a temporary file."""

    def __init__(self, source: IO[bytes]) -> None:
        # An empty name: SQLite's private temporary database, removed when it is closed.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("CREATE TABLE strings (i INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        self._count = 0
        pending: list[tuple[int, str]] = []
        root: Any = None
        for event, node in iterparse(source, events=("start", "end")):
            if root is None:
                root = node
            if event != "end" or node.tag != STRING_TAG:
                continue
            pending.append((self._count, _content(node)))
            self._count += 1
            root.clear()  # the parsed strings leave memory as they go to disk
            if len(pending) >= INSERT_EVERY:
                self._insert(pending)
        self._insert(pending)
        self._db.commit()
        self._text = lru_cache(maxsize=CACHED_STRINGS)(self._fetch)

    def _insert(self, rows: list[tuple[int, str]]) -> None:
        self._db.executemany("INSERT INTO strings (i, text) VALUES (?, ?)", rows)
        rows.clear()

    def _fetch(self, index: int) -> str:
        found = self._db.execute("SELECT text FROM strings WHERE i = ?", (index,)).fetchone()
        if found is None:
            raise IndexError(index)  # a cell pointing past the table: openpyxl's error too
        return str(found[0])

    def __getitem__(self, index: int) -> str:
        return self._text(index)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        for index in range(self._count):
            yield self[index]

    def close(self) -> None:
        self._text.cache_clear()
        self._db.close()


def _content(node: Any) -> str:
    """The text of one shared string, as openpyxl reads it."""
    if len(node) == 1 and node[0].tag == TEXT_TAG:  # most are one plain run: read directly
        text = node[0].text or ""
    else:  # runs of formatting, furigana: openpyxl's own reading
        text = Text.from_tree(node).content
    return str(text).replace("x005F_", "")


class _StreamingReader(ExcelReader):
    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = DiskStrings(source)


class Workbook:
    """A read-only workbook whose sheets can be read from the top as often as needed."""

    def __init__(self, data: bytes) -> None:
        # A formula cell is read as its text ("=HYPERLINK(...)"), never computed.
        reader = _StreamingReader(io.BytesIO(data), read_only=True, data_only=False)
        try:
            reader.read()
        except BaseException:
            _close_strings(reader.shared_strings)
            raise
        self._book = reader.wb
        self._strings = reader.shared_strings
        self.sheet_names: list[str] = list(self._book.sheetnames)

    def rows(self, index: int) -> Iterator[tuple[int, list[object]]]:
        """The sheet's rows that are not blank, numbered as Excel numbers them. A title merged
        over several cells reads as its text in the first cell and blanks after it."""
        sheet = self._book.worksheets[index]
        # The used range a sheet declares is not trusted: some exporters write "A1" for any
        # size, and openpyxl would then read one cell. Rows are read as long as they are.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else v for v in values]
            if any(str(c).strip() for c in cells):
                yield number, cells

    def close(self) -> None:
        self._book.close()
        _close_strings(self._strings)


def _close_strings(strings: object) -> None:
    if isinstance(strings, DiskStrings):
        strings.close()
