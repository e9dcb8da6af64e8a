"""Every write of the insights app: a member's day, and a contribution appended to the record."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Membership

from .models import POST_KINDS, ActivityDay, Contribution, ContributionKind

# Contributions that are not the member's own act on the site: an organiser records that they
# came, and an applicant is not a member yet. They leave no day row.
NOT_A_DAY = frozenset({ContributionKind.ATTENDANCE, ContributionKind.APPLICATION})


def do_note_day(
    network_id: int,
    member_id: int,
    role: str,
    at: datetime,
    *,
    visited: bool = False,
    posted: bool = False,
) -> None:
    """Marks the member active on the network's day of ``at``: one INSERT a day at most.

    A flag already set costs one SELECT and no write; a flag newly set, one UPDATE.
    """
    day = network_day(at)
    with scope(network=network_id):
        found = _flags(member_id, day)
        _write_day(network_id, member_id, role, day, found, visited=visited, posted=posted)


def do_record_visit(membership_id: int, at: datetime) -> None:
    """The visit ``tenancy.actions.do_note_seen`` let through: the day's row, once a day.

    Let through at most once a quarter hour, it costs one SELECT when the day is already noted.
    """
    day = network_day(at)
    # Called from the login and the socket handshake, outside any network: the membership's
    # id alone names the network.
    with scopes_disabled():
        found = _flags(membership_id, day)
        if found is not None and found[0]:
            return
        member = Membership.objects.filter(pk=membership_id).values_list("network_id", "role")
        network_role = member.first()
    if network_role is not None:
        network_id, role = network_role
        with scope(network=network_id):
            _write_day(network_id, membership_id, role, day, found, visited=True, posted=False)


def _flags(member_id: int, day: date) -> tuple[bool, bool] | None:
    """(visited, posted) of the member's day, or None when the day has no row yet."""
    return (
        ActivityDay.objects.filter(member_id=member_id, day=day)
        .values_list("visited", "posted")
        .first()
    )


def _write_day(
    network_id: int,
    member_id: int,
    role: str,
    day: date,
    found: tuple[bool, bool] | None,
    *,
    visited: bool,
    posted: bool,
) -> None:
    if found is None:
        try:
            with transaction.atomic():
                ActivityDay.objects.create(
                    network_id=network_id,
                    member_id=member_id,
                    day=day,
                    role=role,
                    visited=visited,
                    posted=posted,
                )
            return
        except IntegrityError:  # the member's other tab wrote the day first
            found = (False, False)
    wanted = {"visited": visited and not found[0], "posted": posted and not found[1]}
    if any(wanted.values()):
        rows = ActivityDay.objects.filter(member_id=member_id, day=day)
        rows.update(**{flag: True for flag, needed in wanted.items() if needed})


def do_record_contribution(
    *,
    network_id: int,
    member_id: int | None,
    role: str,
    kind: str,
    source: str,
    object_id: int,
    at: datetime,
) -> None:
    """Appends one contribution, once: an act already recorded is not recorded again.

    One statement either way: the insert skips a row that the unique (source, object_id, kind)
    already holds (an attendance marked, reset and marked again; a signal sent twice), so a
    second record neither raises nor breaks the caller's transaction.
    """
    with scope(network=network_id):
        Contribution.objects.bulk_create(
            [
                Contribution(
                    network_id=network_id,
                    member_id=member_id,
                    kind=kind,
                    source=source,
                    object_id=object_id,
                    role=role,
                    created_at=at,
                    day=network_day(at),
                )
            ],
            ignore_conflicts=True,
        )
    # A second record of an act comes with the same time: its day is already noted.
    if member_id is not None and kind not in NOT_A_DAY:
        do_note_day(network_id, member_id, role, at, posted=kind in POST_KINDS)
