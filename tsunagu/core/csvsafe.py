"""Cells written to CSV files that people open in spreadsheets."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Characters Shift_JIS (CP932) lacks, with the one a Japanese spreadsheet shows in their place.
# Python's codec already writes 〜 (U+301C), − (U+2212), ‖ (U+2016), ¢ £ ¬ as CP932's own forms.
CP932_EQUIVALENTS = {
    "\u2014": "\u2015",  # — em dash: ― (CP932's dash)
    "\u2013": "-",  # – en dash
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2043": "-",  # hyphen bullet
    "\u2053": "\uff5e",  # ⁓ swung dash: ～
    "\u2e3a": "\u2015\u2015",  # ⸺ two-em dash
    "\u2e3b": "\u2015\u2015\u2015",  # ⸻ three-em dash
    "\u2044": "/",  # ⁄ fraction slash (½ becomes 1/2)
    "\u00a6": "\uffe4",  # ¦ broken bar: ￤
    # Invisible: dropped rather than shown as "?".
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\ufe0e": "",
    "\ufe0f": "",
}


def _fits_cp932(text: str) -> bool:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _equivalent(char: str) -> str | None:
    """What CP932 can hold in place of ``char``, or None."""
    if char in CP932_EQUIVALENTS:
        return CP932_EQUIVALENTS[char]
    # The compatibility form (a no-break space, a narrow symbol), with the table again on it.
    folded = "".join(CP932_EQUIVALENTS.get(c, c) for c in unicodedata.normalize("NFKC", char))
    if _fits_cp932(folded):
        return folded
    # Latin letters without their accents (José, Zoë): CP932 has none of them.
    bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    if bare and _fits_cp932(bare):
        return bare
    return None


def to_cp932(text: str) -> tuple[str, bool]:
    """``text`` as CP932 can hold it, and whether some character had no equivalent and became
    "?" (a kanji variant such as 𠮷, an emoji): the operator is told, and offered UTF-8.

    Only characters CP932 lacks change: ① or ～ typed by a member stay as they are, where
    NFKC on the whole text would have made them 1 and ~.
    """
    if _fits_cp932(text):
        return text, False
    # Kana typed on a Mac come decomposed (か + ゛): composed, they fit.
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    lost = False
    for char in text:
        if _fits_cp932(char):
            out.append(char)
            continue
        found = _equivalent(char)
        if found is None:
            out.append("?")
            lost = True
        else:
            out.append(found)
    return "".join(out), lost


def csv_bytes(rows: Iterable[Iterable[object]], encoding: str) -> tuple[bytes, int]:
    """A CSV file for Excel, every cell made safe (csv_safe()): UTF-8 with a BOM, or CP932
    (``encoding="shift_jis"``) with to_cp932() on every cell. Returns the bytes and how many
    cells lost a character to "?" (always 0 in UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lost = 0
    for row in rows:
        cells = [csv_safe(cell) for cell in row]
        if encoding == "shift_jis":
            converted = [to_cp932(cell) for cell in cells]
            lost += sum(1 for _cell, was_lost in converted if was_lost)
            cells = [cell for cell, _was_lost in converted]
        writer.writerow(cells)
    text = buffer.getvalue()
    if encoding == "shift_jis":
        return text.encode("cp932"), lost
    return ("\ufeff" + text).encode("utf-8"), 0


def cells_lost_in_cp932(rows: Iterable[Iterable[object]]) -> int:
    """How many cells of ``rows`` would lose a character to "?" in the CP932 file."""
    return sum(1 for row in rows for cell in row if to_cp932(csv_safe(cell))[1])
