"""Field errors in plain words (core/forms.py): Django's stiff defaults are replaced, what a form
chose itself is kept, and fields a form adds as it starts are covered too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tsunagu.core.forms import PlainErrors


class Sample(PlainErrors, forms.Form):
    name = forms.CharField(max_length=5)
    nickname = forms.CharField(required=False, error_messages={"max_length": "ours"}, max_length=2)
    joined_on = forms.DateField(required=False)
    starts_at = forms.DateTimeField(required=False)
    audience = forms.ChoiceField(choices=[("me", "Only me")])
    seats = forms.IntegerField(required=False, min_value=1, max_value=10)
    agree = forms.BooleanField()
    cv = forms.FileField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["added"] = forms.ChoiceField(choices=[("a", "A")], required=False)


def errors(data: dict[str, Any], files: dict[str, Any] | None = None) -> dict[str, list[str]]:
    with translation.override("en"):
        form = Sample(data, files or {})
        form.is_valid()
        return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def test_missing_fields_say_what_to_do_by_kind_of_field() -> None:
    found = errors({})
    assert found["name"] == ["Please fill this in."]
    assert found["audience"] == ["Please choose one."]
    assert found["agree"] == ["Please tick this box to go on."]
    assert found["cv"] == ["Please choose a file."]


def test_bad_values_say_what_to_write() -> None:
    found = errors(
        {
            "name": "長すぎる名前です",
            "nickname": "abc",
            "joined_on": "2026-13-45",
            "starts_at": "明日",
            "audience": "everyone",
            "seats": "0",
            "added": "z",
        },  # fmt: skip
        {"cv": SimpleUploadedFile("empty.pdf", b"")},
    )
    assert found["name"] == ["Please keep it to 5 characters (it is 8 now)."]
    assert found["nickname"] == ["ours"]  # the form's own message stays
    assert found["joined_on"] == ["Enter a date, like 2026-04-01."]
    assert found["starts_at"] == ["Enter a date and time, like 2026-04-01 19:00."]
    assert found["audience"] == ["“everyone” is not one of the choices. Please choose again."]
    assert found["seats"] == ["Enter 1 or more."]
    assert found["added"] == ["“z” is not one of the choices. Please choose again."]
    assert found["cv"] == ["The chosen file is empty."]


def test_a_form_without_the_mixin_keeps_djangos_messages() -> None:
    class Plain(forms.Form):
        name = forms.CharField()

    with translation.override("en"):
        form = Plain({})
        assert form.errors["name"] == ["This field is required."]
