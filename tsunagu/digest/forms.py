from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class DigestFrequencyForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("Digest e-mail"),
        choices=Frequency.choices,
        required=False,
        help_text=_(
            "A summary of what is new since your last visit: events, articles, consultations "
            "and more. Nothing is sent when nothing is new."
        ),
        widget=forms.Select(attrs={"aria-describedby": "digest-help"}),
    )
