"""Text from people and from files: control characters never reach storage or a shared page.

NUL cannot be stored in a PostgreSQL text column (the statement fails), and it is the delimiter
of the holes in the pages shared between readers (core/shared.py). The other C0 and C1 control
characters (ESC, DEL, U+0080–U+009F…) have no place in a name or a title either. Names and
titles are one line: their tabs and line breaks become spaces, any other control character is
refused. Multi-line text keeps tab, line feed and carriage return.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# C0 controls, DEL and C1 controls.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# The same, less what multi-line text may hold.
CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Control characters that separate words (tabs, line and page breaks, NEL).
_BREAKS = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85]+")
REPLACEMENT = "\ufffd"


def has_control(text: str, *, lines: bool = False) -> bool:
    """Whether ``text`` holds a control character (besides tab and line breaks with ``lines``)."""
    return (CONTROL_IN_LINES if lines else CONTROL).search(text) is not None


def one_line(text: str) -> str:
    """Tabs and line breaks turned into spaces; other control characters are left for
    validate_single_line() to refuse."""
    return _BREAKS.sub(" ", text)


def strip_control(text: str, *, lines: bool = False) -> str:
    """``text`` without its control characters (keeping tab and line breaks with ``lines``)."""
    return (CONTROL_IN_LINES if lines else CONTROL).sub("", text)


def visible(text: str) -> str:
    """``text`` with each control character but tab and line breaks shown as U+FFFD: for text
    that is shown as it was found (a roster's cells) and for pages shared between readers, where
    a NUL would pass for a hole's delimiter."""
    return CONTROL_IN_LINES.sub(REPLACEMENT, text)


def validate_single_line(value: Any) -> None:
    if isinstance(value, str) and has_control(value):
        raise ValidationError(
            _(
                "This contains control characters (such as NUL) that cannot be used. "
                "Remove them and try again."
            ),
            code="control_characters",
        )


class SingleLineField(forms.CharField):
    """A name or a title: one line, without control characters."""

    default_validators = [validate_single_line]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # NUL is one of ours: one message, not two.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = one_line(value)
        return super().to_python(value)


# Full-width ASCII (ＡＢＣ１２３＠), the ideographic space, and half-width katakana with their marks
# (ｶﾞｷﾞｰ): the characters whose width Japanese offices normalise. Nothing else is touched: NFKC over
# a whole name would also rewrite compatibility kanji and circled or squared signs people chose.
_WIDTH = re.compile("[\uff01-\uff5e\u3000\uff61-\uff9f]+")


def normalise_width(text: str) -> str:
    """ＩＴ企画部 → IT企画部, ｽｽﾞｷ → スズキ, the ideographic space a space; kanji as written."""
    return _WIDTH.sub(lambda run: unicodedata.normalize("NFKC", run.group()), text)
