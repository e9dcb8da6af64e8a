from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.images import ImageUploadField
from tsunagu.core.storage import PrivateImageInput
from tsunagu.core.text import SingleLineField

from .models import Audience, CareerEntry, LifeUpdate, Profile
from .normalize import normalize
from .visibility import FIELDS, audience_of

# Names and the other one-line fields: no tab, line break or other control character.
ONE_LINE = [
    "display_name", "name_kanji", "name_kana", "name_romaji", "last_department", "last_title",
    "current_employer", "current_role", "industry", "location", "contact_phone",
]  # fmt: skip
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_TAGS = 30


def split_tags(value: str) -> list[str]:
    """Tags typed as "Python、簿記 2級, PMP": commas (either width) or 、 separate them."""
    value = value.replace("、", ",").replace("，", ",")
    seen: dict[str, str] = {}
    for raw in value.split(","):
        name = " ".join(raw.split())[:50]
        if name and normalize(name) not in seen:
            seen[normalize(name)] = name
    return list(seen.values())


class ProfileForm(PlainErrors, forms.ModelForm):
    skills = forms.CharField(
        label=_("Skills and qualifications"),
        required=False,
        max_length=1500,
        help_text=_("Separate them with commas, e.g. 簿記2級, Python, 法人営業"),
        widget=forms.TextInput(attrs={"list": "skill-suggestions", "autocomplete": "off"}),
    )
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        max_length=1500,
        help_text=_("Business, hobbies, volunteering… separated by commas."),
        widget=forms.TextInput(attrs={"list": "interest-suggestions", "autocomplete": "off"}),
    )

    class Meta:
        model = Profile
        fields = [
            "display_name", "name_kanji", "name_kana", "name_romaji", "photo",
            "joined_on", "left_on", "last_department", "last_title",
            "current_employer", "current_role", "industry", "location",
            "can_help_with", "looking_for", "introduction", "links",
            "contact_email", "contact_phone", "birth_date",
        ]  # fmt: skip
        field_classes = {
            "photo": ImageUploadField,
            **dict.fromkeys(ONE_LINE, SingleLineField),
        }
        widgets = {
            "photo": PrivateImageInput(attrs={"accept": "image/*"}),
            "joined_on": DATE,
            "left_on": DATE,
            "birth_date": DATE,
            "can_help_with": forms.Textarea(attrs={"rows": 3}),
            "looking_for": forms.Textarea(attrs={"rows": 3}),
            "introduction": forms.Textarea(attrs={"rows": 8}),
            "links": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.instance
        if profile.pk and profile.photo:
            photo = self.fields["photo"].widget
            assert isinstance(photo, PrivateImageInput)
            photo.current_url = reverse(
                "profiles:photo",
                kwargs={"network_slug": profile.network.slug, "membership_id": profile.pk},
            )
        for field in FIELDS:
            self.fields[f"show_{field}"] = forms.ChoiceField(
                label=_("Who sees “%(field)s”") % {"field": FIELDS[field][0]},
                choices=Audience.choices,
                initial=audience_of(profile, field),
            )
        tags = list(profile.tags.all()) if profile.pk else []
        self.fields["skills"].initial = ", ".join(t.name for t in tags if t.kind == "skill")
        self.fields["interests"].initial = ", ".join(t.name for t in tags if t.kind == "interest")

    def clean_links(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        if len(lines) > 5:
            raise ValidationError(_("Give at most 5 links."))
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except ValidationError:
                raise ValidationError(
                    _("“%(link)s” is not a web address (https://…).") % {"link": line[:80]}
                ) from None
        return "\n".join(lines)

    def _clean_tags(self, name: str) -> list[str]:
        tags = split_tags(self.cleaned_data[name])
        if len(tags) > MAX_TAGS:
            raise ValidationError(_("Give at most %(n)d tags.") % {"n": MAX_TAGS})
        return tags

    def clean_skills(self) -> list[str]:
        return self._clean_tags("skills")

    def clean_interests(self) -> list[str]:
        return self._clean_tags("interests")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        joined, left = data.get("joined_on"), data.get("left_on")
        if joined and left and left < joined:
            self.add_error("left_on", _("The leaving date is before the joining date."))
        return data

    def visibility(self) -> dict[str, str]:
        return {field: self.cleaned_data[f"show_{field}"] for field in FIELDS}

    def field_groups(self) -> list[tuple[Any, list[tuple[list[Any], Any]]]]:
        """(heading, [(the fields one audience covers, that audience's field or None)]): each
        audience is shown once, beside every field it governs (the years cover both dates)."""
        b = self.__getitem__
        return [
            (_("Name and photo"), [
                ([b("display_name")], None),
                ([b("name_kanji")], b("show_name_kanji")),
                ([b("name_kana")], b("show_name_kana")),
                ([b("name_romaji")], b("show_name_romaji")),
                ([b("photo")], b("show_photo")),
            ]),
            (_("At the company"), [
                ([b("joined_on"), b("left_on")], b("show_years")),
                ([b("last_department"), b("last_title")], b("show_last_position")),
            ]),
            (_("Now"), [
                ([b("current_employer"), b("current_role")], b("show_current_work")),
                ([b("industry")], b("show_industry")),
                ([b("location")], b("show_location")),
            ]),
            (_("Skills, interests and introduction"), [
                ([b("skills")], b("show_skills")),
                ([b("interests")], b("show_interests")),
                ([b("can_help_with")], b("show_can_help_with")),
                ([b("looking_for")], b("show_looking_for")),
                ([b("introduction")], b("show_introduction")),
                ([b("links")], b("show_links")),
            ]),
            (_("Private details"), [
                ([b("contact_email"), b("contact_phone")], b("show_contact")),
                ([b("birth_date")], b("show_birth_date")),
            ]),
        ]  # fmt: skip


class CareerEntryForm(PlainErrors, forms.ModelForm):
    class Meta:
        model = CareerEntry
        fields = ["department", "title", "started_on", "ended_on"]
        field_classes = {"department": SingleLineField, "title": SingleLineField}
        widgets = {"started_on": DATE, "ended_on": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The end is before the start."))
        return data


CareerFormSet = inlineformset_factory(
    Profile,
    CareerEntry,
    form=CareerEntryForm,
    extra=1,
    max_num=30,
    validate_max=True,
    can_delete=True,
)


class LifeUpdateForm(PlainErrors, forms.ModelForm):
    class Meta:
        model = LifeUpdate
        fields = ["body"]
        widgets = {
            "body": forms.TextInput(attrs={"placeholder": _("e.g. 転職しました / 結婚しました")})
        }
        labels = {"body": _("Share an update")}
