from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.boards.files import inspect_upload
from tsunagu.core.forms import PlainErrors
from tsunagu.core.text import SingleLineField
from tsunagu.core.widgets import FileInput
from tsunagu.tenancy.models import Membership

from .access import kinds_for
from .files import check_cv
from .models import (
    MESSAGE_MAX,
    CareersSettings,
    Flag,
    FlagAudience,
    Kind,
    Mode,
    Opportunity,
    Remote,
    Status,
    next_statuses,
)

DEADLINE_DAYS_MAX = 3 * 365


class OpportunityForm(PlainErrors, forms.ModelForm):
    external_url = forms.URLField(
        label=_("external page"), required=False, max_length=500, assume_scheme="https"
    )
    attachment = forms.FileField(
        label=_("Attachment (image or PDF)"),
        required=False,
        help_text=_("Optional: a job description or a flyer, PNG, JPEG, GIF, WebP or PDF."),
        widget=FileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"}
        ),
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind",
            "title",
            "employment_form",
            "description",
            "location",
            "remote",
            "compensation",
            "starts",
            "deadline",
            "contact_person",
            "external_url",
            "audience",
        ]
        field_classes = {
            "title": SingleLineField,
            "location": SingleLineField,
            "compensation": SingleLineField,
            "starts": SingleLineField,
            "contact_person": SingleLineField,
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 12}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds_for(member)  # type: ignore[attr-defined]
        for name in ("title", "compensation", "location", "starts", "contact_person"):
            field = self.fields[name]
            field.widget.attrs["maxlength"] = field.max_length  # type: ignore[attr-defined]

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the opportunity a title."))
        return title

    def clean_description(self) -> str:
        text = self.cleaned_data["description"]
        if not text.strip():
            raise forms.ValidationError(_("Describe the opportunity."))
        return text

    def clean_deadline(self) -> date | None:
        value = self.cleaned_data.get("deadline")
        if value is None:
            return None
        unchanged = self.instance.pk is not None and value == self.instance.deadline
        if value < timezone.localdate() and not unchanged:
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        if value > timezone.localdate() + timedelta(days=DEADLINE_DAYS_MAX):
            raise forms.ValidationError(_("Choose a deadline within the next three years."))
        return value

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        return inspect_upload(upload)[0] if upload else None


# A referral note says who the person is, never how to reach them: the poster contacts the member
# who introduces them first. Read after NFKC, so full-width digits and ＠ count too.
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE_IN_TEXT = re.compile(r"(\+?\d[\d\s()-]{8,}\d)")


def contact_details_in(text: str) -> bool:
    plain = unicodedata.normalize("NFKC", text)
    if EMAIL_IN_TEXT.search(plain):
        return True
    return any(sum(c.isdigit() for c in found) >= 10 for found in PHONE_IN_TEXT.findall(plain))


class AnswerForm(PlainErrors, forms.Form):
    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("message"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    cv = forms.FileField(
        label=_("CV (PDF, optional)"),
        required=False,
        help_text=_("A PDF file up to 10 MB."),
        widget=FileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args: Any, modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modes = modes

    def clean_mode(self) -> str:
        mode = self.cleaned_data["mode"]
        if mode not in self.modes:
            raise forms.ValidationError(_("This kind of answer does not fit this opportunity."))
        return mode

    def clean_cv(self) -> Any:
        upload = self.cleaned_data.get("cv")
        return check_cv(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        if mode == Mode.APPLY and not (data.get("message") or "").strip():
            self.add_error("message", _("Write a message to go with your application."))
        if mode == Mode.INTRODUCE and not (data.get("message") or "").strip():
            self.add_error(
                "message", _("Write a note about the person, without their contact details.")
            )
        elif mode == Mode.INTRODUCE and contact_details_in(data.get("message") or ""):
            self.add_error(
                "message",
                _(
                    "Leave out the person's e-mail address and phone number: the poster will "
                    "contact you first, and you can put them in touch."
                ),
            )
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Status.choices)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = next_statuses(current)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Status.choices if value in allowed
        ]


# The list draws its own two selects from these (a form's widgets render through templates of
# their own, a third of the list's rendering).
KIND_CHOICES = [("", _("All types")), *Kind.choices]
REMOTE_CHOICES = [("", _("Any")), *Remote.choices]


class ListFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("type"), required=False, choices=KIND_CHOICES)
    remote = forms.ChoiceField(label=_("remote work"), required=False, choices=REMOTE_CHOICES)
    q = forms.CharField(label=_("keywords"), required=False, max_length=100)


FLAG_OFF = ""


class OpenToForm(PlainErrors, forms.Form):
    """One choice per flag: off, or on and shown to whom."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(FLAG_OFF, _("Off")), *FlagAudience.choices]
        for value, label in Flag.choices:
            self.fields[value] = forms.ChoiceField(
                label=label, required=False, choices=choices, initial=current.get(value, FLAG_OFF)
            )


class CareersSettingsForm(forms.ModelForm):
    class Meta:
        model = CareersSettings
        fields = ["members_may_post", "member_posts_need_approval"]
