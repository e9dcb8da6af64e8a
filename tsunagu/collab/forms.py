from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.core.text import SingleLineField

from .models import SHARED_MESSAGE_MAX, SHARED_ROOM_NAME_MAX, Scope


class RequestLinkForm(forms.Form):
    slug = forms.CharField(
        label=_("The other network's address"),
        max_length=50,
        help_text=_("The part after /n/ in its web address. Ask its operators for it."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to share.")},
    )
    message = forms.CharField(
        label=_("Message to its operators"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("counter", _("Propose"))]
    )
    scopes = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class OptInForm(forms.Form):
    link = forms.IntegerField(min_value=1)
    visible = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class SharedRoomForm(forms.Form):
    link = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    name = SingleLineField(label=_("Room name"), max_length=SHARED_ROOM_NAME_MAX)


class SharedMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=SHARED_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a message.")},
    )


class WithdrawScopeForm(forms.Form):
    scope = forms.ChoiceField(choices=Scope.choices)


class InviteCoHostForm(forms.Form):
    link = forms.TypedChoiceField(label=_("Linked network"), coerce=int, choices=[])
    seats = forms.ChoiceField(
        label=_("Places"),
        choices=[
            ("shared", _("Its members share the event's places with ours")),
            ("quota", _("Keep a number of places for its members")),
        ],
        widget=forms.RadioSelect,
        initial="shared",
    )
    quota = forms.IntegerField(
        label=_("Places kept for its members"), min_value=1, max_value=100_000, required=False
    )

    def __init__(self, *args: Any, links: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = links  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("seats") == "quota" and not data.get("quota"):
            self.add_error("quota", _("Enter how many places to keep for its members."))
        return data

    def chosen_quota(self) -> int | None:
        data = self.cleaned_data
        return data.get("quota") if data.get("seats") == "quota" else None


class CoHostAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])


class CoHostEndForm(forms.Form):
    partner = forms.IntegerField(min_value=1, required=False)


class GuestApplyForm(forms.Form):
    action = forms.ChoiceField(choices=[("apply", "apply"), ("cancel", "cancel")])
