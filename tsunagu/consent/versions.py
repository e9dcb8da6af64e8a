"""The two numbers the re-consent gate compares on every network page: the network's current
version and the newest one the member accepted.

They travel inside what the request already reads from the cache (the network and the
membership, `tenancy/cache.py`, which `apps.py` asks for them through `tenancy/gates.py`),
computed by these subqueries in the same statement that loads
the row: the gate costs no query of its own. Publishing drops the network's entry, accepting
drops the member's.
"""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Consent, PolicyVersion


def current_number() -> Coalesce:
    """For a Network row: the number of its current version, 0 when none is published."""
    # The base manager: the network is loaded before its scope opens.
    newest = (
        PolicyVersion._base_manager.filter(network=OuterRef("pk"), number__isnull=False)
        .order_by("-number")
        .values("number")[:1]
    )
    return Coalesce(Subquery(newest), Value(0), output_field=IntegerField())


def accepted_number() -> Coalesce:
    """For a Membership row: the newest version number the member accepted, 0 when none."""
    newest = (
        Consent._base_manager.filter(membership=OuterRef("pk"))
        .order_by("-version__number")
        .values("version__number")[:1]
    )
    return Coalesce(Subquery(newest), Value(0), output_field=IntegerField())


def must_accept(network: object, membership: object) -> bool:
    """Whether the member has yet to accept the network's current version."""
    current = getattr(network, "policy_version", 0) or 0
    return current > (getattr(membership, "accepted_policy_version", 0) or 0)
