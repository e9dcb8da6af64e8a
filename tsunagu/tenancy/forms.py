from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.images import ImageUploadField
from tsunagu.core.text import SingleLineField

from .models import Network, Role, Status

MAX_QUESTIONS = 10
MAX_QUESTION_LENGTH = 200


class NetworkSettingsForm(PlainErrors, forms.ModelForm):
    join_questions_text = forms.CharField(
        label=_("Questions for applicants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line, at most 10."),
    )

    class Meta:
        model = Network
        fields = [
            "name",
            "tagline",
            "logo",
            "brand_color",
            "description",
            "eligibility",
            "members_may_create_events",
            "supporters_may_moderate",
            "supporters_may_create_surveys",
            "talk_enter_sends",
        ]
        field_classes = {
            "logo": ImageUploadField,
            "name": SingleLineField,
            "tagline": SingleLineField,
        }
        widgets = {
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["join_questions_text"].initial = "\n".join(self.instance.join_questions or [])

    def clean_join_questions_text(self) -> list[str]:
        lines = [
            " ".join(line.split()) for line in self.cleaned_data["join_questions_text"].splitlines()
        ]
        questions = [line for line in lines if line]
        if len(questions) > MAX_QUESTIONS:
            raise forms.ValidationError(_("Ask at most 10 questions."))
        if any(len(q) > MAX_QUESTION_LENGTH for q in questions):
            raise forms.ValidationError(_("Keep each question under 200 characters."))
        return questions

    def save(self, commit: bool = True) -> Network:
        self.instance.join_questions = self.cleaned_data["join_questions_text"]
        return super().save(commit=commit)


class MemberChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in Status.choices if c[0] != Status.PENDING]
    )
