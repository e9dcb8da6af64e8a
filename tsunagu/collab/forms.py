from __future__ import annotations

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
