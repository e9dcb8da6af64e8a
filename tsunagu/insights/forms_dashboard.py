"""The dashboard's period picker and its settings form."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .figures import MAX_MONTHS, Period, add_months, month_start, months_between
from .thresholds import RANGES, InsightSettings

PRESETS = [
    ("3", _("Last 3 months")),
    ("6", _("Last 6 months")),
    ("12", _("Last 12 months")),
    ("24", _("Last 24 months")),
]
DEFAULT_PRESET = "12"
EARLIEST = date(2000, 1, 1)
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """A month as the browser's month input sends it: ``2026-04``."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-04"})
    default_error_messages = {
        "invalid": _("Enter a month as year and month, e.g. 2026-04."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=7, required=False, strip=True, **kwargs)

    def clean(self, value: Any) -> date | None:
        text = super().clean(value)
        if not text:
            return None
        found = MONTH.match(text)
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        # Checked before the date is made: year 0 is no date at all.
        if int(found.group(1)) < EARLIEST.year:
            raise forms.ValidationError(_("Choose a month from 2000 on."), code="too_early")
        return date(int(found.group(1)), int(found.group(2)), 1)


class PeriodForm(forms.Form):
    preset = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = MonthField(label=_("From"))
    end = MonthField(label=_("To"))

    def __init__(self, data: Any, *, today: date) -> None:
        if not any(data.get(name) for name in ("preset", "start", "end")):
            data = {"preset": DEFAULT_PRESET}  # the picker shows the period on the page
        super().__init__(data)
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.errors:
            return cleaned
        this_month = month_start(self.today)
        if start is None and end is None:
            months = int(cleaned.get("preset") or DEFAULT_PRESET)
            cleaned["period"] = Period.last_months(months, self.today)
            return cleaned
        end = end or this_month
        start = start or add_months(end, -(int(DEFAULT_PRESET) - 1))
        if start > this_month:
            self.add_error("start", _("The period cannot start in the future."))
        elif end > this_month:
            self.add_error("end", _("The period cannot end in the future."))
        elif start > end:
            self.add_error("end", _("The last month must not come before the first."))
        elif months_between(start, end) > MAX_MONTHS:
            self.add_error("end", _("A period covers at most %(n)s months.") % {"n": MAX_MONTHS})
        else:
            cleaned["period"] = Period(start, end)
        return cleaned


class InsightSettingsForm(forms.ModelForm):
    class Meta:
        model = InsightSettings
        fields = ["supporters_may_view", *RANGES]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (_default, low, high) in RANGES.items():
            field = self.fields[name]
            field.widget.attrs.update({"min": low, "max": high})
            field.required = True
