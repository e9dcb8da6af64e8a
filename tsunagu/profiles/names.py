"""Finding people by name as Japanese people type it.

A name is found whichever way it is typed:

- without the space between family and given name (「田中花子」 finds 田中 花子);
- with either form of a kanji that families write differently (異体字): 「斎藤」 finds 齋藤 and
  齊藤, 「高橋」 finds 髙橋, and the other way round. Both the names and the words searched are
  folded to one form by :data:`VARIANTS`;
- in kana or in romaji read from the kana (「watanabe」 and 「わたなべ」 find 渡邉, when the
  member shares the reading): romaji follow Hepburn as typed on a keyboard (jaconv), and also
  without the long vowels people leave out (「sato」, 「shota」 for さとう, しょうた).

The reading and the romaji are only added where the member shares them with everyone: a search
never finds someone by what they hid.
"""

from __future__ import annotations

import re
from typing import Any

import jaconv

from .normalize import normalize, query_terms

# Kanji that a family may write in another form; each is searched as the form after the arrow.
# The list holds the forms met in Japanese family and given names (the common ones of the
# 人名用漢字 and 旧字体 lists, and the 異体字 of the IPA 文字情報基盤 most often asked for);
# add to it as people meet others.
VARIANTS: dict[str, str] = {
    "齋": "斉", "齊": "斉", "斎": "斉",  # 斉藤・齋藤・斎藤・齊藤
    "髙": "高",  # 髙橋
    "﨑": "崎", "嵜": "崎",  # 山﨑・山嵜
    "邊": "辺", "邉": "辺",  # 渡邊・渡邉
    "𠮷": "吉",  # 𠮷田
    "澤": "沢",  # 澤田
    "濱": "浜",  # 濱田
    "嶋": "島", "嶌": "島",  # 嶋田
    "廣": "広",  # 廣瀬
    "國": "国",  # 國分
    "櫻": "桜",  # 櫻井
    "瀨": "瀬",  # 瀨戸
    "德": "徳",  # 德永
    "惠": "恵",  # 惠子
    "眞": "真",  # 眞理子
    "冨": "富",  # 冨田
    "槇": "槙",  # 槇原
    "藏": "蔵",  # 藏本
    "龍": "竜",  # 龍也
    "綠": "緑",  # 綠川
    "兒": "児",  # 兒玉
    "實": "実",  # 實
    "壽": "寿",  # 壽子
    "淺": "浅",  # 淺野
    "黑": "黒",  # 黑田
    "舘": "館",  # 舘野
    "籠": "篭",  # 籠谷
}  # fmt: skip
_FOLD = str.maketrans(VARIANTS)
_HIRAGANA = re.compile("^[\u3041-\u309f\u30fc ]+$")


def fold(text: str) -> str:
    """The searchable form: normalised (widths, kana, case) and variant kanji folded."""
    return normalize(text).translate(_FOLD)


def name_terms(query: str) -> list[str]:
    """The words of a search box in the form the directory stores."""
    return [fold(term) for term in query_terms(query)]


def romaji_of(kana: str) -> list[str]:
    """Romaji of a kana reading as people type them: 「satou」 and 「sato」."""
    reading = normalize(kana)  # katakana become hiragana
    if not reading or not _HIRAGANA.match(reading):
        return []
    typed = jaconv.kana2alphabet(reading.replace("ー", ""))
    short = re.sub(r"(?<=[ou])u|(?<=o)o", "", typed)
    return list(dict.fromkeys([typed, short]))


def name_forms(names: list[str], *, kana: str = "", romaji: str = "") -> str:
    """Every form a name may be typed in, folded, for a search column: each with and without
    its spaces, the kana reading, and romaji (given, and read from the kana)."""
    forms: list[str] = []
    for text in [*names, kana, romaji, *romaji_of(kana)]:
        folded = fold(text)
        if folded:
            forms += [folded, folded.replace(" ", "")]
    return " ".join(dict.fromkeys(forms))


def name_search_of(profile: Any, *, shared: Any) -> str:
    """The name forms of a profile that everyone in the network may search by.

    ``shared(profile, field)`` says whether a field is shared with all members."""
    names = [profile.display_name, profile.membership.user.name]
    if shared(profile, "name_kanji"):
        names.append(profile.name_kanji)
    kana = profile.name_kana if shared(profile, "name_kana") else ""
    romaji = profile.name_romaji if shared(profile, "name_romaji") else ""
    return name_forms([n for n in names if n], kana=kana, romaji=romaji)
