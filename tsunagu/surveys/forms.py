from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.text import SingleLineField
from tsunagu.tenancy.models import Membership

from .actions import Given
from .models import (
    LONG_TEXT_MAX,
    OTHER_TEXT_MAX,
    SHORT_TEXT_MAX,
    Audience,
    Kind,
    Question,
    Section,
    Survey,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
OTHER = "other"


class SurveyForm(PlainErrors, forms.ModelForm):
    # Declared here: the model's field would query events outside any network scope.
    event: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("event"), required=False
    )

    field_order = [
        "title", "description", "anonymity", "audience", "left_from", "left_to", "department",
        "event", "opens_at", "closes_at", "results_for_respondents",
    ]  # fmt: skip

    class Meta:
        model = Survey
        fields = [
            "title", "description", "anonymity", "audience", "left_from", "left_to",
            "department", "opens_at", "closes_at", "results_for_respondents",
        ]  # fmt: skip
        field_classes = {"title": SingleLineField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "anonymity": forms.RadioSelect,
            "opens_at": DATETIME,
            "closes_at": DATETIME,
        }
        help_texts = {
            "anonymity": _(
                "Anonymous: nobody, operators included, can see who gave which answer, and "
                "figures about fewer than 5 people are hidden. It cannot change once people "
                "have answered."
            ),
            "opens_at": _("Invitations leave when it opens."),
            "closes_at": _("A reminder goes three days before to those who have not answered."),
        }

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tsunagu.events.models import Event

        event_field = self.fields["event"]
        event_field.queryset = Event.objects.filter(  # type: ignore[attr-defined]
            network_id=member.network_id
        ).order_by("-starts_at")[:200]
        event_field.help_text = _("Only for “Participants of an event”.")
        for name in ("left_from", "left_to"):
            self.fields[name].widget.attrs.update(
                {"min": 1950, "max": 2100, "inputmode": "numeric"}
            )
        self.fields["department"].help_text = _(
            "Only for a segment: those whose last department contains these words."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
        if data.get("audience") == Audience.EVENT and not data.get("event"):
            self.add_error("event", _("Choose the event whose participants are asked."))
        if data.get("audience") != Audience.EVENT:
            data["event"] = None
        if data.get("audience") != Audience.SEGMENT:
            data["left_from"] = data["left_to"] = None
            data["department"] = ""
        elif data.get("left_from") and data.get("left_to") and data["left_from"] > data["left_to"]:
            self.add_error("left_to", _("The last year comes before the first."))
        return data


class SectionForm(PlainErrors, forms.Form):
    title = SingleLineField(label=_("Section title"), max_length=200)
    description = forms.CharField(
        label=_("Section text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionForm(PlainErrors, forms.Form):
    text = SingleLineField(label=_("Question"), max_length=500)
    help_text = SingleLineField(label=_("Help text"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice questions: one option a line."),
    )
    allow_other = forms.BooleanField(label=_("Offer “Other” with a text"), required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    section: forms.ModelChoiceField[Section] = forms.ModelChoiceField(
        label=_("Section"), queryset=None, required=False
    )
    position = forms.IntegerField(label=_("Order"), required=False, min_value=1, max_value=1000)

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(survey=survey)  # type: ignore[attr-defined]

    def labels(self) -> list[str]:
        return (self.cleaned_data.get("choices") or "").splitlines()


class CopyForm(forms.Form):
    source: forms.ModelChoiceField[Survey] = forms.ModelChoiceField(
        label=_("Copy the questions of"), queryset=None
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .access import filter_surveys_for

        managed = filter_surveys_for(member, Survey.objects.all())
        if not member.is_operator:
            managed = managed.filter(created_by_id=member.user_id)
        self.fields["source"].queryset = managed  # type: ignore[attr-defined]


def field_name(question: Question) -> str:
    return f"q{question.pk}"


class AnswerForm(PlainErrors, forms.Form):
    """One field per question; the errors say which question and why, in the reader's language."""

    def __init__(self, *args: Any, questions: list[Question], draft: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[field_name(question)] = self._field(question, draft)
            if question.allow_other:
                self.fields[f"{field_name(question)}_other"] = forms.CharField(
                    label=_("Other (please say)"),
                    required=False,
                    max_length=OTHER_TEXT_MAX,
                )

    def _field(self, question: Question, draft: bool) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.text,
            "help_text": question.help_text,
            "required": question.required and not draft,
        }
        options: list[tuple[str, Any]] = [(str(c.pk), c.label) for c in question.choices.all()]
        if question.allow_other:
            options.append((OTHER, _("Other")))
        if question.kind == Kind.SINGLE:
            return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        if question.kind == Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=options, widget=forms.CheckboxSelectMultiple, **common
            )
        if question.kind == Kind.SCALE:
            return forms.TypedChoiceField(
                choices=[(str(n), str(n)) for n in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect,
                empty_value=None,
                **common,
            )
        if question.kind == Kind.NPS:
            return forms.TypedChoiceField(
                choices=[(str(n), str(n)) for n in range(0, 11)],
                coerce=int,
                widget=forms.RadioSelect,
                empty_value=None,
                **common,
            )
        if question.kind == Kind.DATE:
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
            )
        limit = SHORT_TEXT_MAX if question.kind == Kind.SHORT else LONG_TEXT_MAX
        widget = forms.Textarea(attrs={"rows": 5}) if question.kind == Kind.LONG else None
        return forms.CharField(max_length=limit, widget=widget, **common)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for question in self.questions:
            name = field_name(question)
            if not question.allow_other:
                continue
            picked = data.get(name) or []
            picked = [picked] if isinstance(picked, str) else picked
            other = (data.get(f"{name}_other") or "").strip()
            if other and OTHER not in picked:
                self.add_error(f"{name}_other", _("Tick “Other” to give this text."))
            elif OTHER in picked and not other:
                self.add_error(f"{name}_other", _("Say what “Other” is."))
        return data

    def given(self) -> dict[int, Given]:
        out: dict[int, Given] = {}
        for question in self.questions:
            name = field_name(question)
            value = self.cleaned_data.get(name)
            given = Given()
            if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
                picked = [value] if isinstance(value, str) and value else (value or [])
                given.choice_ids = [int(v) for v in picked if v != OTHER]
                if OTHER in picked:
                    given.other = (self.cleaned_data.get(f"{name}_other") or "").strip()
            elif question.kind in (Kind.SCALE, Kind.NPS):
                given.number = value
            elif question.kind == Kind.DATE:
                given.date = value if isinstance(value, datetime.date) else None
            else:
                given.text = (value or "").strip()
            out[question.pk] = given
        return out


class CrosstabForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Break down by"),
        choices=[
            ("role", _("Role")),
            ("left_year", _("Leaving year")),
            ("department", _("Department")),
        ],
    )


class EditLinkForm(forms.Form):
    """The link to change one's anonymous answers, or the code at its end."""

    token = forms.CharField(
        label=_("The link to change your answers"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_token(self) -> str:
        from .keys import valid_token

        value = self.cleaned_data["token"].strip()
        token = value.rsplit("#", 1)[-1]
        if not valid_token(token):
            raise forms.ValidationError(
                _("This link does not open answers of yours to this survey.")
            )
        return token
