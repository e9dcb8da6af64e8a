"""Roster segments: the members a survey asks or an announcement reaches, picked by the leaving
data onboarding copies from the HR roster into the profile.

A segment is the same rule the rest of the site applies to members' leaving data: the year of
``Profile.left_on`` within the range, both ends included (the directory's leaving-year filter),
and ``Profile.last_department`` containing the words (onboarding's department rule).
"""

from __future__ import annotations

from django.db.models import Q

from tsunagu.tenancy.models import Role

ALUMNI_ROLES = (Role.ALUMNI, Role.SUPPORTER)  # supporters are alumni who help the office


def segment_q(left_from: int | None, left_to: int | None, department: str) -> Q:
    """Members whose profile matches a roster segment (see the module's docstring)."""
    q = Q()
    if left_from:
        q &= Q(profile__left_on__year__gte=left_from)
    if left_to:
        q &= Q(profile__left_on__year__lte=left_to)
    if department.strip():
        q &= Q(profile__last_department__icontains=department.strip())
    return q
