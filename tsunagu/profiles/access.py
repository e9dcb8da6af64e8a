"""Who the directory lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from tsunagu.core.sql import Rule
from tsunagu.tenancy.models import Status


@dataclass(frozen=True)
class ListedMembers:
    """The directory lists the profiles of active members only. One definition, stated for the
    ORM over profiles (``q()``) and for a statement over their memberships as ``m`` (``rule()``,
    in ``queries``)."""

    def q(self) -> models.Q:
        return models.Q(membership__status=Status.ACTIVE)

    def rule(self) -> Rule:
        return Rule("m.status = %s", (Status.ACTIVE,))


LISTED = ListedMembers()
