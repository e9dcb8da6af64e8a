from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.text import SingleLineField

from .models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    name = SingleLineField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 山田 花子"), "autocomplete": "name"}),
    )
    field_order = ["name", "email", "password1", "password2"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def signup(self, request: Any, user: User) -> None:
        user.name = self.cleaned_data["name"]
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        if language in dict(settings.LANGUAGES):
            user.language = language
        user.save(update_fields=["name", "language"])


class AccountSettingsForm(PlainErrors, forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]
        field_classes = {"name": SingleLineField}
