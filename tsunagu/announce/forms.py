from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.core.text import SingleLineField

from .models import SUBJECT_MAX, Announcement, AnnounceSettings, Audience


class AnnouncementForm(forms.ModelForm):
    """The composer. Its ``key`` is written when the form is first shown; posted twice, the form
    names the same announcement. Writes go through actions, never ``save()``."""

    key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    subject = SingleLineField(label=_("Subject"), max_length=SUBJECT_MAX)
    source_url = forms.URLField(
        label=_("Link (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A page to read more, e.g. the event or the article."),
    )
    left_from = forms.IntegerField(
        label=_("Left in or after (year)"), required=False, min_value=1950, max_value=2100
    )
    left_to = forms.IntegerField(
        label=_("Left in or before (year)"), required=False, min_value=1950, max_value=2100
    )
    department = SingleLineField(
        label=_("Last department contains"), max_length=100, required=False
    )

    class Meta:
        model = Announcement
        fields = ["subject", "body", "source_url", "audience", "left_from", "left_to", "department"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "audience": forms.RadioSelect,
        }
        help_texts = {
            "body": _(
                "Markdown is supported. Each member gets it in an e-mail with a greeting and the "
                "links to their e-mail preferences."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("left_from", "left_to"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        self.fields["left_from"].help_text = _("Only for a segment of alumni.")
        self.fields["department"].help_text = _(
            "Only for a segment: those whose last department contains these words."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") != Audience.SEGMENT:
            data["left_from"] = data["left_to"] = None
            data["department"] = ""
        elif data.get("left_from") and data.get("left_to") and data["left_from"] > data["left_to"]:
            self.add_error("left_to", _("The last year comes before the first."))
        return data

    def segment(self) -> dict[str, Any]:
        """The audience as the composer's fields say it, for counting while one writes."""
        data = self.cleaned_data
        return {
            "audience": data.get("audience") or Audience.ALL,
            "left_from": data.get("left_from"),
            "left_to": data.get("left_to"),
            "department": data.get("department") or "",
        }


class AudienceForm(AnnouncementForm):
    """Only the audience, read from the composer's fields while the operator writes."""

    class Meta(AnnouncementForm.Meta):
        fields = ["audience", "left_from", "left_to", "department"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("key", "subject", "source_url"):
            del self.fields[name]


class SendForm(forms.Form):
    """The send button's form: the announcement's key and the version the operator looked at."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class MonthlyCapForm(forms.ModelForm):
    class Meta:
        model = AnnounceSettings
        fields = ["monthly_cap"]
        widgets = {"monthly_cap": forms.NumberInput(attrs={"min": 0, "max": 31})}
