from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PolicyVersion


class DraftForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["purpose", "policy"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 10}),
            "policy": forms.Textarea(attrs={"rows": 16}),
        }


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: every member will be asked to read and accept it.")
    )


class AgreeForm(forms.Form):
    """The checkbox of a page that admits someone: the version it was shown with travels
    along, so a form shown before a newer version was published is refused."""

    agree = forms.BooleanField(
        label=_("I have read the purpose of use and the privacy policy, and I agree to them.")
    )
    policy_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, policy: PolicyVersion, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["policy_version"] = policy.number
        kwargs.setdefault("prefix", "policy")
        super().__init__(*args, **kwargs)
        self.policy = policy

    def agreed(self) -> int | None:
        """The version number the person ticked, or None when the form is not valid."""
        return self.cleaned_data["policy_version"] if self.is_valid() else None
