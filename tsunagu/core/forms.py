"""Field errors in plain words, for the forms members fill in.

Django's own messages read stiffly in Japanese (「このフィールドは必須です。」, 「正しく選択して
ください。 x は候補にありません。」) and say nothing of what to write. A form that mixes in
:class:`PlainErrors` says, for each field Django's message would be used for, what to do; a
message the form or the model chose itself is kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

REQUIRED = _("Please fill this in.")
REQUIRED_CHOICE = _("Please choose one.")
REQUIRED_FILE = _("Please choose a file.")
REQUIRED_SOME = _("Please choose at least one.")
REQUIRED_TICK = _("Please tick this box to go on.")
EMPTY_FILE = _("The chosen file is empty.")
INVALID_CHOICE = _("“%(value)s” is not one of the choices. Please choose again.")
MAX_LENGTH = _("Please keep it to %(limit_value)d characters (it is %(show_value)d now).")

# (field class, code) -> message, the most specific class first.
MESSAGES: list[tuple[type[forms.Field], str, Any]] = [
    (forms.DateTimeField, "invalid", _("Enter a date and time, like 2026-04-01 19:00.")),
    (forms.DateField, "invalid", _("Enter a date, like 2026-04-01.")),
    (forms.TimeField, "invalid", _("Enter a time, like 19:00.")),
    (forms.IntegerField, "invalid", _("Enter a whole number, like 3.")),
    (forms.DecimalField, "invalid", _("Enter a number, like 1.5.")),
    (forms.EmailField, "invalid", _("Enter an e-mail address, like hanako@example.jp.")),
    (forms.URLField, "invalid", _("Enter a web address starting with https://.")),
    (forms.FileField, "invalid", _("No file arrived. Please choose the file again.")),
    (forms.FileField, "missing", _("No file arrived. Please choose the file again.")),
    (forms.FileField, "empty", EMPTY_FILE),
    (
        forms.FileField,
        "contradiction",
        _("Either choose a new file or tick “Clear”, not both."),
    ),
    (forms.ModelChoiceField, "invalid_choice", INVALID_CHOICE),
    (forms.ModelMultipleChoiceField, "invalid_choice", INVALID_CHOICE),
    (forms.ChoiceField, "invalid_choice", INVALID_CHOICE),
    (forms.CharField, "max_length", MAX_LENGTH),
    (forms.CharField, "min_length", _("Please write at least %(limit_value)d characters.")),
    (forms.IntegerField, "max_value", _("Enter %(limit_value)s or less.")),
    (forms.IntegerField, "min_value", _("Enter %(limit_value)s or more.")),
    (forms.DecimalField, "max_value", _("Enter %(limit_value)s or less.")),
    (forms.DecimalField, "min_value", _("Enter %(limit_value)s or more.")),
]


def _defaults(field: forms.Field) -> dict[str, Any]:
    """Django's own messages for the field's class (what a form that chose none would show)."""
    found: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        found.update(getattr(cls, "default_error_messages", {}))
    return found


def _required_message(field: forms.Field) -> Any:
    if isinstance(field, forms.FileField):
        return REQUIRED_FILE
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return REQUIRED_SOME
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return REQUIRED_CHOICE
    if isinstance(field, forms.BooleanField):
        return REQUIRED_TICK
    return REQUIRED


def plain_errors(field: forms.Field) -> None:
    """Put the plain messages in place of Django's own on ``field``, keeping any other."""
    defaults = _defaults(field)
    wanted: dict[str, Any] = {"required": _required_message(field)}
    for cls, code, message in MESSAGES:
        if isinstance(field, cls) and code not in wanted:
            wanted[code] = message
    for code, message in wanted.items():
        current = field.error_messages.get(code)
        if current is None or current is defaults.get(code) or current == defaults.get(code):
            field.error_messages[code] = message


class PlainErrors:
    """Mixed in before ``forms.Form`` or ``forms.ModelForm``. Applied when the form is checked,
    so fields a form adds in its ``__init__`` are covered too."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        for field in self.fields.values():
            plain_errors(field)
        super().full_clean()  # type: ignore[misc]
