"""Each member's choice of digest, and the default of their role."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction

from tsunagu.tenancy.models import Membership, Network, Role

from .forms import DigestFrequencyForm
from .models import DigestPreference, Frequency


def default_frequency(role: str) -> str:
    """Operators hear weekly how their network is doing; everyone else once a month."""
    return Frequency.WEEKLY if role == Role.OPERATOR else Frequency.MONTHLY


def frequency_for(member: Membership) -> str:
    chosen = (
        DigestPreference.objects.filter(network_id=member.network_id, user_id=member.user_id)
        .values_list("frequency", flat=True)
        .first()
    )
    return chosen or default_frequency(member.role)


@transaction.atomic
def do_set_frequency(network: Network, user_id: int, frequency: str) -> None:
    if frequency not in Frequency.values:
        raise ValueError(f"unknown digest frequency {frequency!r}")
    DigestPreference.objects.update_or_create(
        network=network, user_id=user_id, defaults={"frequency": frequency}
    )


def preference_form(member: Membership, data: Any) -> DigestFrequencyForm:
    """The digest's field on the notification settings page (registered in apps.py)."""
    return DigestFrequencyForm(data, initial={"digest": frequency_for(member)})


def save_preference(member: Membership, form: forms.Form) -> None:
    if form.cleaned_data["digest"]:  # a form without the field keeps the choice
        do_set_frequency(member.network, member.user_id, form.cleaned_data["digest"])
