"""Each member's choice of digest, and the default of their role."""

from __future__ import annotations

from django.db import transaction

from tsunagu.tenancy.models import Membership, Network, Role

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
