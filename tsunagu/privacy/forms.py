from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.models import User

from .access import check_erasure_permission

KEEP = "keep"
TOMBSTONE = "tombstone"


class ErasureForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    posts = forms.ChoiceField(
        label=_("What you wrote"),
        choices=[
            (KEEP, _("Keep my posts and messages, shown as by 「退会したメンバー」")),
            (TOMBSTONE, _("Replace my posts and messages with 「削除されました」")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."), code="wrong_password")
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_erasure_permission(self.user)
        return data
