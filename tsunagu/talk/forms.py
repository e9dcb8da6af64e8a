from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.text import SingleLineField
from tsunagu.core.widgets import FileInput

from .models import BODY_MAX, CLIENT_ID_MAX, MANAGED_KINDS, NAME_MAX, RoomKind


def new_client_id() -> str:
    # Given with the form: a form sent twice (a double click, a resent POST) is stored once.
    return f"form-{uuid.uuid4().hex}"


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Write a message… (@name to mention)")}
        ),
    )
    client_id = forms.CharField(max_length=CLIENT_ID_MAX, widget=forms.HiddenInput)
    file = forms.FileField(label=_("Attachment"), required=False, widget=FileInput)


class RoomForm(PlainErrors, forms.Form):
    name = SingleLineField(label=_("Name"), max_length=NAME_MAX)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(k.value, k.label) for k in RoomKind if k in MANAGED_KINDS],
        initial=RoomKind.OPEN,
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class RoomEditForm(forms.Form):
    name = SingleLineField(label=_("Name"), max_length=NAME_MAX)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class GroupForm(PlainErrors, forms.Form):
    name = SingleLineField(label=_("Group name"), max_length=NAME_MAX, required=False)
