"""Forms of the supporter programme and the outcome ledger."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagu.tenancy.models import Membership, Status

from .ledger import validate_outcome
from .programme_models import NOTE_MAX, AwardKind, OutcomeKind, ProgrammeSettings, QuarterNote
from .supporters import FIRST_YEAR, PeriodKind, today

NAME_SEPARATORS = re.compile(r"[,、，\n]+")
MAX_OUTCOME_MEMBERS = 20


class PeriodForm(forms.Form):
    """The ranking's period: its kind, and a month inside it (junk falls back to today)."""

    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.CHOICES, required=False)
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Enter a month as year and month, e.g. 2026-04.")},
    )

    def clean_month(self) -> date | None:
        month = self.cleaned_data.get("month")
        if month is not None and not FIRST_YEAR <= month.year <= today().year:
            raise forms.ValidationError(_("Choose a month between 2000 and now."))
        return month

    def chosen(self) -> tuple[str, date]:
        """The period kind and a day in it; today's month for anything missing or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("period") or PeriodKind.MONTH, data.get("month") or today()


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ProgrammeSettings
        fields = [
            "weight_posts",
            "weight_stamps",
            "weight_welcomes",
            "weight_events",
            "supporters_see_ranking",
        ]
        widgets = {
            name: forms.NumberInput(attrs={"min": 0, "max": 100})
            for name in ("weight_posts", "weight_stamps", "weight_welcomes", "weight_events")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [data.get(name) for name in self.Meta.widgets]
        if all(w == 0 for w in weights):
            raise forms.ValidationError(_("Give at least one kind of contribution some points."))
        return data


class AwardForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Award"), choices=AwardKind.choices)
    member = forms.TypedChoiceField(label=_("Member"), coerce=int, choices=[])
    reason = forms.CharField(label=_("Why (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = candidates  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices)
    on = forms.DateField(
        label=pgettext_lazy("outcome", "Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    value_yen = forms.IntegerField(
        label=_("Value (yen)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        help_text=_("Optional: the contract's or the hire's value in yen."),
    )
    members = forms.CharField(
        label=_("Members (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Names as in the directory, separated by commas. Only operators see them."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, network_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network_id = network_id

    def clean_members(self) -> list[Membership]:
        names = [
            n.strip() for n in NAME_SEPARATORS.split(self.cleaned_data["members"]) if n.strip()
        ]
        if len(names) > MAX_OUTCOME_MEMBERS:
            raise forms.ValidationError(
                _("Name at most %(count)s members.") % {"count": MAX_OUTCOME_MEMBERS}
            )
        found: dict[str, list[Membership]] = {}
        rows = Membership.objects.filter(
            network_id=self.network_id, status=Status.ACTIVE, user__name__in=names
        ).select_related("user")
        for member in rows:
            found.setdefault(member.user.name, []).append(member)
        unknown = [n for n in names if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("No member of this network is called %(names)s.") % {"names": "、".join(unknown)}
            )
        twice = [n for n in names if len(found[n]) > 1]
        if twice:
            raise forms.ValidationError(
                _("Several members are called %(names)s: record them in the note instead.")
                % {"names": "、".join(twice)}
            )
        return [found[n][0] for n in dict.fromkeys(names)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("on") is not None and "kind" in data:
            try:
                validate_outcome(data["kind"], data["on"], data.get("value_yen"))
            except forms.ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return data


class QuotesForm(forms.ModelForm):
    """Two voices of members for the quarter's report, picked by the office."""

    class Meta:
        model = QuarterNote
        fields = ["quote_1", "quote_1_by", "quote_2", "quote_2_by"]
        widgets = {
            "quote_1": forms.Textarea(attrs={"rows": 2}),
            "quote_2": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"quote_1_by": _("e.g. 2019年退職・営業部")}
