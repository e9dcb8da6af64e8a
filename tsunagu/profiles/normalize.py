"""One normal form for searchable Japanese text.

NFKC folds full-width letters and digits to half-width and half-width katakana to full-width;
katakana are then folded to hiragana and Latin letters to lower case, so that "ﾀﾅｶ", "タナカ" and
"たなか" (or "ＤＸ" and "dx") are the same word to the directory.
"""

from __future__ import annotations

import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return " ".join(text.translate(_KATAKANA_TO_HIRAGANA).casefold().split())


def query_terms(query: str, *, limit: int = 5) -> list[str]:
    """The words of a search box, normalised; at most ``limit`` of them, longest first."""
    terms = sorted(set(normalize(query).split()), key=len, reverse=True)
    return terms[:limit]
