"""Notification kinds of onboarding: what operators hear about people who want in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import OPERATORS, Kind, register
from tsunagu.tenancy.models import Role

APPLICATION = register(
    Kind(
        "join_application",
        _("Someone applies to join"),
        _("%(name)s applied to join %(network)s."),
        email_by_default=True,
        group="network",
        roles=OPERATORS,
    )
)
PROPOSAL = register(
    Kind(
        "invitation_proposed",
        _("A member proposes to invite someone"),
        _("%(member)s proposes to invite %(name)s."),
        email_by_default=True,
        group="network",
        roles=OPERATORS,
    )
)
BECAME_ALUMNI = register(
    Kind(
        "became_alumni",
        _("You are now one of the alumni"),
        _("Thank you for your work. You are now one of the alumni of %(network)s."),
        email_by_default=True,
        group="network",
        # Sent while the member is still an employee, just before the role changes.
        roles=frozenset({Role.EMPLOYEE}),
    )
)
