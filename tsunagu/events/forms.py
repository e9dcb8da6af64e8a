from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tsunagu.core.converters import parse_id
from tsunagu.core.forms import PlainErrors
from tsunagu.core.images import ImageUploadField
from tsunagu.core.storage import PrivateImageInput
from tsunagu.core.text import SingleLineField
from tsunagu.tenancy.models import Membership

from .models import Cadence, Category, Event

MAX_QUESTIONS = 5
MAX_QUESTION_LENGTH = 200
MAX_ANSWER_LENGTH = 1000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class OrganiserField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.name)

    def clean(self, value: Any) -> Any:
        # Django looks the choices up with ``pk__in``, where an id of 20 digits overflows SQLite.
        for pk in value if isinstance(value, list | tuple) else ():
            if parse_id(pk) is None:
                message = self.error_messages["invalid_choice"]
                raise forms.ValidationError(message, code="invalid_choice", params={"value": pk})
        return super().clean(value)


class EventForm(PlainErrors, forms.ModelForm):
    online_url = forms.URLField(
        label=Event._meta.get_field("online_url").verbose_name,
        help_text=Event._meta.get_field("online_url").help_text,
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    recording_url = forms.URLField(
        label=Event._meta.get_field("recording_url").verbose_name,
        help_text=Event._meta.get_field("recording_url").help_text,
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    questions_text = forms.CharField(
        label=_("Questions for applicants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. One question per line, at most 5."),
    )
    organisers = OrganiserField(
        label=_("Organisers"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisers may edit the event, approve applications and check people in."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "category",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
            "fee",
            "payment_note",
            "capacity",
            "waitlist",
            "needs_approval",
            "deadline",
            "cancel_until",
            "audience",
            "show_participants",
            "description",
            "notes",
            "cover",
            "recording_url",
        ]
        field_classes = {
            "cover": ImageUploadField,
            "title": SingleLineField,
            "venue": SingleLineField,
            "payment_note": SingleLineField,
        }
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "deadline": DateTimeInput(),
            "cancel_until": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 8}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "cover": PrivateImageInput(attrs={"accept": "image/*"}),
        }

    def __init__(
        self,
        *args: Any,
        candidates: QuerySet[Membership],
        seats_taken: int = 0,
        organiser_ids: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.seats_taken = seats_taken
        organisers = self.fields["organisers"]
        assert isinstance(organisers, OrganiserField)
        organisers.queryset = candidates
        if organiser_ids is not None:
            self.fields["organisers"].initial = organiser_ids
        self.fields["questions_text"].initial = "\n".join(self.instance.questions or [])
        if self.instance.pk and self.instance.cover:
            cover = self.fields["cover"].widget
            assert isinstance(cover, PrivateImageInput)
            cover.current_url = reverse(
                "events:cover",
                kwargs={"network_slug": self.instance.network.slug, "event_id": self.instance.pk},
            )

    def clean_questions_text(self) -> list[str]:
        lines = [
            " ".join(line.split()) for line in self.cleaned_data["questions_text"].splitlines()
        ]
        questions = [line for line in lines if line]
        if len(questions) > MAX_QUESTIONS:
            raise forms.ValidationError(_("Ask at most 5 questions."))
        if any(len(q) > MAX_QUESTION_LENGTH for q in questions):
            raise forms.ValidationError(_("Keep each question under 200 characters."))
        return questions

    def clean_capacity(self) -> int | None:
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < self.seats_taken:
            raise forms.ValidationError(
                _("%(count)s people already hold a place: the capacity cannot be lower.")
                % {"count": self.seats_taken}
            )
        return capacity

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        for name in ("deadline", "cancel_until"):
            value = data.get(name)
            if starts and value and value > starts:
                self.add_error(name, _("This must be before the event starts."))
        if not data.get("venue") and not data.get("online_url") and "online_url" not in self.errors:
            self.add_error("venue", _("Give a venue or an online meeting URL."))
        return data

    def save(self, commit: bool = True) -> Event:
        self.instance.questions = self.cleaned_data["questions_text"]
        return super().save(commit=commit)


class ApplyForm(PlainErrors, forms.Form):
    """The applicant's answers to the event's optional questions."""

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for i, question in enumerate(questions):
            self.fields[f"q{i}"] = forms.CharField(
                label=question,
                required=False,
                max_length=MAX_ANSWER_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def answers(self) -> list[dict[str, str]]:
        return [
            {"question": q, "answer": self.cleaned_data.get(f"q{i}", "").strip()}
            for i, q in enumerate(self.questions)
        ]


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Keyword"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Category.choices],
    )
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
    )


class ReportForm(PlainErrors, forms.Form):
    report = forms.CharField(
        label=_("Report"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("How it went, for those who came and those who could not. Markdown."),
    )
    photo = ImageUploadField(label=_("Add a photo"), required=False)
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class DescriptionImageForm(PlainErrors, forms.Form):
    image = ImageUploadField(label=_("Image"))
    caption = forms.CharField(
        label=_("What it shows"),
        required=False,
        max_length=200,
        help_text=_("Read aloud by screen readers, e.g. 会場までの地図."),
    )


MAX_OCCURRENCES = 52


class SeriesForm(PlainErrors, forms.Form):
    """A series and its dates: one event per week or month, created at once."""

    title = SingleLineField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown is supported."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    cadence = forms.ChoiceField(label=_("How often"), choices=Cadence.choices)
    first_starts_at = forms.DateTimeField(label=_("First date and time"), widget=DateTimeInput())
    duration = forms.IntegerField(
        label=_("Length (minutes)"), min_value=5, max_value=24 * 60, initial=60
    )
    occurrences = forms.IntegerField(
        label=_("Number of dates"),
        min_value=1,
        max_value=MAX_OCCURRENCES,
        initial=12,
        help_text=_("At most 52."),
    )
    venue = SingleLineField(label=_("Venue"), required=False, max_length=300)
    online_url = forms.URLField(
        label=_("Online meeting URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Shown only to participants whose place is confirmed."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("Empty for no limit. Places go to the first who apply."),
    )

    def clean_online_url(self) -> str:
        url = self.cleaned_data["online_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Enter a web address starting with http:// or https://."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("venue") and not data.get("online_url") and "online_url" not in self.errors:
            self.add_error("venue", _("Give a venue or an online meeting URL."))
        return data
