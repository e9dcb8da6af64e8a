"""The Japanese catalogue keeps the wording style sheet (docs/style-ja.md): full-width punctuation
inside Japanese, and none of the terms the sheet replaced."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

JA = Path(__file__).resolve().parents[2] / "locale" / "ja" / "LC_MESSAGES"

# A Japanese character: kana, kanji, full-width forms and Japanese punctuation.
JAPANESE = r"[\u3001-\u303f\u3040-\u30ff\u4e00-\u9fff\uff01-\uff60]"
# Placeholders and markup hold parentheses and colons of their own.
PROTECTED = re.compile(r"%\([^)]*\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%|<[^>]+>|https?://\S*")
# ! ? ( ) : beside Japanese; a comma only between Japanese (「DX, 新規事業」 is what people type).
HALF_WIDTH_BESIDE_JAPANESE = re.compile(
    rf"{JAPANESE}\s*[!?():]|[!?():]\s*{JAPANESE}|{JAPANESE}\s*,\s*{JAPANESE}"
)

# (what is wrong, the pattern): the sheet's "Words to use, words to avoid" and "The office".
BANNED = [
    ("the office is 運営事務局, not 運営者", re.compile(r"運営者")),
    ("the office is 運営事務局 in full", re.compile(r"(?<!運営)事務局")),
    ("運営 alone is the verb 運営する, not the office", re.compile(r"運営(?![事しすさせ])")),
    ("leave あなた out at the start of a sentence", re.compile(r"(?:^|[。！？])あなたは")),
    ("internal jargon", re.compile(r"フレーム")),
    ("write すでに in kana", re.compile(r"既に")),
    ("write 締め切り", re.compile(r"締切")),
    ("write 申し込み", re.compile(r"申込")),
    ("カテゴリー takes its long vowel", re.compile(r"カテゴリ(?!ー)")),
    ("メンバー, not 会員", re.compile(r"会員")),
    ("export is エクスポート", re.compile(r"書き出")),
    ("katakana long vowel", re.compile(r"(?:ユーザ|サーバ|メンバ|ブラウザ)(?!ー)")),
]


def japanese_texts() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for path in sorted(JA.glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            texts.extend((entry.msgid, form) for form in forms if form)
    return texts


def punctuation_faults(text: str) -> list[str]:
    bare = PROTECTED.sub("\ue000", text)
    return [m.group(0) for m in HALF_WIDTH_BESIDE_JAPANESE.finditer(bare)]


def banned_terms(text: str) -> list[str]:
    return [why for why, pattern in BANNED if pattern.search(text)]


def test_japanese_uses_full_width_punctuation() -> None:
    problems = [
        f"{msgid!r}: {faults} in {text!r}"
        for msgid, text in japanese_texts()
        if (faults := punctuation_faults(text))
    ]
    assert not problems, "\n".join(problems)


def test_japanese_avoids_the_terms_the_style_sheet_replaced() -> None:
    problems = [
        f"{msgid!r}: {faults} in {text!r}"
        for msgid, text in japanese_texts()
        if (faults := banned_terms(text))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        "参加が確定しました。当日お会いしましょう!",
        "いかがでしたか?",
        "所要時間(分)",
        "匿名: 誰がどう答えたかは誰にも分かりません。",
        "ビジネス,趣味",
    ],
)
def test_half_width_punctuation_beside_japanese_is_caught(text: str) -> None:
    assert punctuation_faults(text)


@pytest.mark.parametrize(
    "text",
    [
        "%(name)sさん（%(when)s）",
        "ヘッダー：Authorization: Bearer <key>。",
        "<strong>%(n)s</strong>件",
        "例：DX, 新規事業",
        "%(count)d件の返信",
    ],
)
def test_placeholders_markup_and_latin_text_are_left_alone(text: str) -> None:
    assert not punctuation_faults(text)


@pytest.mark.parametrize(
    "text",
    [
        "運営者が承認すると公開されます。",
        "事務局にお問い合わせください。",
        "退会したことは運営に通知されます。",
        "あなたはすでにこのネットワークのメンバーです。",
        "このフレームを読み取れませんでした。",
        "このイベントには既に申し込んでいます。",
        "すべてのカテゴリ",
    ],
)
def test_banned_terms_are_caught(text: str) -> None:
    assert banned_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "運営事務局が承認すると公開されます。",
        "運営事務局のメンバーはネットワークを運営します。",
        "あなたの経験が役に立つかもしれません。",
        "すべてのカテゴリー",
    ],
)
def test_the_sheets_own_terms_pass(text: str) -> None:
    assert not banned_terms(text)
