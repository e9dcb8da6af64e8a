"""Everything that changes a profile goes through here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms import BaseInlineFormSet
from django.utils import timezone

from tsunagu.audit.models import AuditAction, record
from tsunagu.tenancy.models import Membership

from .forms import LifeUpdateForm, ProfileForm
from .indexing import reindex
from .models import LifeUpdate, Profile, Tag
from .normalize import normalize
from .visibility import ProfileView

STALE_AFTER_DAYS = 120  # ask members every four months whether they still work where it says


def profile_of(member: Membership) -> Profile:
    profile, _ = Profile.objects.select_related("membership__user").get_or_create(
        membership=member, defaults={"network_id": member.network_id}
    )
    return profile


def _tags(member: Membership, kind: str, names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(
            network_id=member.network_id,
            kind=kind,
            normalized=normalize(name)[:50],
            defaults={"name": name},
        )
        tags.append(tag)
    return tags


@transaction.atomic
def do_update_profile(member: Membership, form: ProfileForm, career: BaseInlineFormSet) -> Profile:
    profile = form.save(commit=False)
    employer_changed = (
        "current_employer" in form.changed_data or "current_role" in form.changed_data
    )
    profile.visibility = form.visibility()
    if employer_changed:
        profile.employer_confirmed_at = timezone.now()
    profile.save()
    career.instance = profile
    for entry in career.save(commit=False):
        entry.network_id = member.network_id
        entry.save()
    for entry in career.deleted_objects:
        entry.delete()
    profile.tags.set(
        _tags(member, "skill", form.cleaned_data["skills"])
        + _tags(member, "interest", form.cleaned_data["interests"])
    )
    reindex(profile)
    return profile


def do_confirm_employer(member: Membership) -> None:
    Profile.objects.filter(membership=member).update(employer_confirmed_at=timezone.now())


def needs_employer_check(profile: Profile) -> bool:
    confirmed = profile.employer_confirmed_at
    return confirmed is None or (timezone.now() - confirmed).days >= STALE_AFTER_DAYS


def do_post_life_update(member: Membership, form: LifeUpdateForm) -> LifeUpdate:
    update = form.save(commit=False)
    update.network_id = member.network_id
    update.membership = member
    update.save()
    return update


def do_delete_life_update(member: Membership, update: LifeUpdate) -> None:
    if update.membership_id != member.pk and not member.is_operator:
        raise PermissionError
    update.delete()


def note_private_view(viewer: Membership, view: ProfileView) -> None:
    fields = view.private_fields_seen()
    if fields:
        record(viewer, AuditAction.VIEW_PRIVATE_FIELDS, target=view.membership, fields=fields)


def note_export(viewer: Membership, *, rows: int, encoding: str, lost: int = 0) -> None:
    """``lost``: cells of a Shift_JIS file where a character became "?"."""
    detail: dict[str, Any] = {"lost_cells": lost} if lost else {}
    record(viewer, AuditAction.EXPORT_ROSTER, rows=rows, encoding=encoding, **detail)
