"""The directory's hand-written statements (queries.py) against their ORM twins (access.LISTED's
``q()``, the entries read by the ORM): for every role of the two-network world, and after a
member's role or status changed, the same profiles with the same versions, the same window of a
search and the same own profile. Each statement runs in its member's network's scope, as the
directory runs it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.profiles import queries
from tsunagu.profiles.access import LISTED
from tsunagu.profiles.directory import entries_matching, listed_versions
from tsunagu.profiles.indexing import reindex
from tsunagu.profiles.models import DirectoryEntry, Profile
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

ROLES = (
    "operator_a", "supporter_a", "employee_a", "alumni_a", "operator_b", "supporter_b", "alumni_b",
)  # fmt: skip
ORDERS = (
    ("sort_name", "profile_id"), ("-updated_at", "-profile_id"), ("-joined_at", "-profile_id"),
)  # fmt: skip


def with_employers(world: World) -> None:
    """Some profiles with an employer and a display name, so the statements have values to
    disagree on."""
    with scopes_disabled():
        for name in ("alumni_a", "operator_b"):
            profile = Profile.objects.get(membership=getattr(world, name))
            profile.current_employer = "株式会社ツナグ"
            profile.employer_confirmed_at = timezone.now()
            profile.display_name = f"表示名 {name}"
            profile.save()
            reindex(profile)


def every_profile_id() -> list[int]:
    with scopes_disabled():
        return list(Profile.objects.order_by("-pk").values_list("pk", flat=True))


def orm_listed(member: Membership, ids: list[int]) -> list[tuple[object, ...]]:
    with scopes_disabled():
        profiles = Profile.objects.filter(LISTED.q(), network_id=member.network_id, pk__in=ids)
        by_id = {
            p.pk: (p.pk, p.updated_at, p.membership.role, p.display_name or p.membership.user.name)
            for p in profiles.select_related("membership__user")
        }
    return [by_id[pk] for pk in ids if pk in by_id]


def orm_window(
    network_id: int, order: tuple[str, ...], offset: int, limit: int, size: int
) -> list[int]:
    with scopes_disabled():
        window = DirectoryEntry.objects.filter(network_id=network_id).order_by(*order)[:size]
        window_ids = list(window.values_list("pk", flat=True))
        matches = set(entries_matching(network_id, role=Role.ALUMNI).values_list("pk", flat=True))
    return [pk for pk in window_ids if pk in matches][offset : offset + limit]


def assert_parity(member: Membership) -> None:
    ids = every_profile_id()
    with scope(network=member.network):
        versions = listed_versions(member.network_id, ids)
        mine = queries.my_profile(member)
    assert [(v.pk, v.updated_at, v.role, v.name) for v in versions] == orm_listed(member, ids)
    with scopes_disabled():
        expected = Profile.objects.filter(membership=member).first()
    assert (mine is None) == (expected is None)
    if mine is not None and expected is not None:
        fields = ("pk", "network_id", "current_employer", "employer_confirmed_at")
        assert [getattr(mine, f) for f in fields] == [getattr(expected, f) for f in fields]
    for order in ORDERS:
        for size, offset, limit in ((100, 0, 10), (3, 0, 2), (3, 1, 2)):
            with scope(network=member.network):
                entries = entries_matching(member.network_id, role=Role.ALUMNI)
                found = queries.within_window(
                    member.network_id, entries, order, offset, limit, size=size
                )
            assert found == orm_window(member.network_id, order, offset, limit, size)


def test_every_role_reads_the_same_directory_by_statement_as_by_the_orm(world: World) -> None:
    with_employers(world)
    for name in ROLES:
        assert_parity(getattr(world, name))
    # So that parity is not two empty lists.
    with scope(network=world.net_a):
        names = [v.name for v in listed_versions(world.net_a.pk, every_profile_id())]
        alumni = entries_matching(world.net_a.pk, role=Role.ALUMNI)
        window = queries.within_window(world.net_a.pk, alumni, ORDERS[0], 0, 10, size=100)
        mine = queries.my_profile(world.alumni_a)
    assert len(names) == 4 and "表示名 alumni_a" in names
    assert window and mine is not None and mine.current_employer == "株式会社ツナグ"


def test_after_a_change_of_role_or_status_both_agree_at_once(world: World) -> None:
    with_employers(world)
    member = world.alumni_a
    for role, status in (
        (Role.SUPPORTER, Status.ACTIVE),
        (Role.ALUMNI, Status.SUSPENDED),
        (Role.ALUMNI, Status.ACTIVE),
    ):
        with scopes_disabled():
            Membership.objects.filter(pk=member.pk).update(role=role, status=status)
            member.refresh_from_db()
            Profile.objects.get(membership=member).save()  # the directory's entry follows
        for name in ("alumni_a", "operator_a"):
            assert_parity(getattr(world, name))
