"""The operators' audit log, its export, the retention policy, and a member's access record."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.audit.models import AuditAction, AuditEntry, record
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def log_url(world: World) -> str:
    return f"/n/{world.net_a.slug}/manage/audit/"


def rows_of(response: Any) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_log_filters_by_act_and_by_day(world: World) -> None:
    with scope(network=world.net_a):
        with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
            record(world.operator_a, AuditAction.EXPORT_ROSTER, rows=7)
        record(world.operator_a, AuditAction.VIEW_ROSTER, page=1, q="")
        record(world.operator_a, AuditAction.EXPORT_ROSTER, rows=8)
    client = world.client(world.operator_a)
    since = (timezone.localdate() - timedelta(days=1)).isoformat()

    page = client.get(log_url(world), {"action": "roster.export", "since": since}, **EN)

    text = page.content.decode()
    assert text.count("<td>Exported the member roster") == 1
    assert "(8)" in text and "(7)" not in text
    assert "<td>Viewed the member roster" not in text


def test_a_start_after_the_end_is_shown_next_to_the_field(world: World) -> None:
    client = world.client(world.operator_a)
    page = client.get(log_url(world), {"since": "2026-03-02", "until": "2026-03-01"}, **EN)
    assert page.status_code == 200
    assert 'id="id_until_error"' in page.content.decode()
    assert "The end comes before the start." in page.content.decode()


def test_the_log_page_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    with scope(network=world.net_a):
        for member in (world.alumni_a, world.employee_a, world.supporter_a):
            record(world.operator_a, AuditAction.VIEW_PRIVATE_FIELDS, target=member, fields=["x"])
    client = world.client(world.operator_a)
    client.get(log_url(world))
    # The session, the count and the page of entries with their members.
    with django_assert_num_queries(3):
        client.get(log_url(world))
    with scope(network=world.net_a):
        for _ in range(20):
            record(world.operator_a, AuditAction.PREVIEW_DIGEST, target=world.alumni_a)
    with django_assert_num_queries(3):
        client.get(log_url(world))


def test_the_export_holds_the_filtered_log_and_is_itself_recorded(world: World) -> None:
    formula = '=HYPERLINK("https://evil.example")'
    with scope(network=world.net_a):
        User.objects.filter(pk=world.alumni_a.user_id).update(name=formula)
        world.alumni_a.user.refresh_from_db()
        record(world.operator_a, AuditAction.VIEW_PRIVATE_FIELDS, target=world.alumni_a)
        record(world.operator_a, AuditAction.EXPORT_ROSTER, rows=4)
    with scope(network=world.net_b):
        record(world.operator_b, AuditAction.EXPORT_ROSTER, rows=99)
    client = world.client(world.operator_a)

    everything = rows_of(client.get(log_url(world) + "export.csv", **EN))
    only_views = rows_of(
        client.get(log_url(world) + "export.csv", {"action": "profile.view_private"}, **EN)
    )

    assert everything[0] == ["When", "Who", "What", "Member", "Details"]
    assert [row[2] for row in everything[1:]] == [
        "Exported the member roster",
        "Viewed fields shared only with operators",
    ]
    assert everything[2][3] == "'" + formula  # text in the spreadsheet, never a formula
    assert everything[1][1] == world.operator_a.user.name
    assert "99" not in "".join(",".join(r) for r in everything)  # network B's
    assert len(only_views) == 2
    with scope(network=world.net_a):
        exports = list(AuditEntry.objects.filter(action=AuditAction.EXPORT_AUDIT))
    assert [(e.actor_id, e.detail) for e in exports] == [
        (world.operator_a.user_id, {"count": 1, "filters": {"action": "profile.view_private"}}),
        (world.operator_a.user_id, {"count": 2, "filters": {}}),
    ]
    # The next export lists the earlier ones.
    again = rows_of(client.get(log_url(world) + "export.csv", {"action": "audit.export"}, **EN))
    assert [row[4] for row in again[1:]] == ["1", "2"]


def test_operators_see_the_configured_retention_periods(world: World, settings: Any) -> None:
    settings.RETENTION_INVITATION_MONTHS = 18
    settings.RETENTION_NOTIFICATION_MONTHS = 6
    settings.RETENTION_AUDIT_YEARS = 5
    text = world.client(world.operator_a).get(log_url(world), **EN).content.decode()
    assert "Invitations that were never accepted are deleted 18 months after the last mail." in text
    assert "Notifications are deleted after 6 months." in text
    assert "Audit records are deleted after 5 years." in text
    settings.RETENTION_AUDIT_YEARS = 0
    text = world.client(world.operator_a).get(log_url(world), **EN).content.decode()
    assert "Audit records are kept." in text


def test_a_demoted_operator_loses_the_log_and_its_export_at_once(world: World) -> None:
    client = world.client(world.supporter_a)
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
    assert client.get(log_url(world)).status_code == 200
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.ALUMNI)
    assert client.get(log_url(world)).status_code == 403
    assert client.get(log_url(world) + "export.csv").status_code == 403
    for who in (world.alumni_a, world.operator_b):
        assert world.client(who).get(log_url(world) + "export.csv").status_code in (302, 403)
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action=AuditAction.EXPORT_AUDIT).exists()


def access_url(world: World) -> str:
    return f"/n/{world.net_a.slug}/me/access/"


def test_a_member_sees_the_operator_who_viewed_their_private_fields(world: World) -> None:
    with scope(network=world.net_a):
        for member in (world.alumni_a, world.employee_a):
            Profile.objects.filter(membership=member).update(
                contact_phone="090-1234-5678", visibility={"contact": "operators"}
            )
    operator = world.client(world.operator_a)
    operator.get(f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/")
    operator.get(f"/n/{world.net_a.slug}/members/{world.employee_a.pk}/")
    with scope(network=world.net_a):
        record(world.operator_a, AuditAction.PREVIEW_DIGEST, target=world.employee_a)

    mine = world.client(world.alumni_a).get(access_url(world), **EN).content.decode()
    theirs = world.client(world.employee_a).get(access_url(world), **EN).content.decode()

    assert f"<td>{world.operator_a.user.name}</td>" in mine
    assert "Viewed fields shared only with operators" in mine
    assert "Previewed a member&#x27;s digest" not in mine  # the employee's, not theirs
    assert mine.count("<tr><td>") == 1
    assert theirs.count("<tr><td>") == 2
    assert (
        "Nobody has viewed or exported your data."
        in world.client(world.supporter_a).get(access_url(world), **EN).content.decode()
    )


def test_roster_wide_views_since_joining_are_listed_as_possibly_including_the_member(
    world: World,
) -> None:
    before_joining = world.alumni_a.created_at - timedelta(days=1)
    with scope(network=world.net_a), time_machine.travel(before_joining, tick=False):
        record(world.operator_a, AuditAction.EXPORT_ROSTER, rows=3)
    world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/roster/export.csv")

    text = world.client(world.alumni_a).get(access_url(world), **EN).content.decode()

    assert text.count("Roster viewed or exported") == 2  # the note, and the one export
    assert text.count("<tr><td>") == 1


def test_the_member_page_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    client = world.client(world.alumni_a)
    client.get(access_url(world))
    with scope(network=world.net_a):
        for _ in range(5):
            record(world.operator_a, AuditAction.VIEW_PRIVATE_FIELDS, target=world.alumni_a)
            record(world.operator_a, AuditAction.VIEW_ROSTER, page=1)
    # The session, the count and the page.
    with django_assert_num_queries(3):
        page = client.get(access_url(world))
    assert page.content.decode().count("<tr><td>") == 10


def test_the_profile_links_to_the_access_record_for_its_owner_only(world: World) -> None:
    url = f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/"
    assert access_url(world) in world.client(world.alumni_a).get(url).content.decode()
    assert access_url(world) not in world.client(world.employee_a).get(url).content.decode()
