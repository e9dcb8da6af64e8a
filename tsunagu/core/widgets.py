"""Form widgets every app's forms share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class FileInput(forms.ClearableFileInput):
    """A file input labelled in the page's language instead of the browser's own "Choose File /
    No file chosen": a label drawn as a button and the chosen file's name beside it.

    The real ``<input type="file">`` stays in the page, visually hidden but focusable, so the
    keyboard reaches it and a screen reader announces it with its field's label; the core
    script writes the chosen name (without the script the control still works, unnamed).
    """

    template_name = "core/widgets/file.html"
    choose_text = _("Choose a file")
    empty_text = _("No file chosen")

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["choose_text"] = self.choose_text
        context["widget"]["empty_text"] = self.empty_text
        return context
