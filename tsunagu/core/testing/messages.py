"""The plain field errors (core/forms.py) as a Japanese page shows them."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from tsunagu.core import forms


def ja(message: Any, **params: Any) -> str:
    """``message`` in Japanese, with its placeholders filled."""
    with translation.override("ja"):
        text = str(message)
    return text % params if params else text


REQUIRED = ja(forms.REQUIRED)
REQUIRED_CHOICE = ja(forms.REQUIRED_CHOICE)
# The words after the refused value, whatever it was.
INVALID_CHOICE = ja(forms.INVALID_CHOICE).split("%(value)s")[-1]
EMPTY_FILE = ja(forms.EMPTY_FILE)
