"""The nightly purge: each kind of record is kept exactly as long as its period."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit import retention
from tsunagu.audit.models import AuditAction, AuditEntry, record
from tsunagu.audit.retention import months_before, purge_expired
from tsunagu.audit.tasks import apply_retention
from tsunagu.notify.actions import notify
from tsunagu.notify.models import Notification
from tsunagu.notify.reads import unread_count
from tsunagu.onboarding.donotinvite import do_block, is_blocked
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.testing.world import World

HOUR = timedelta(hours=1)


def at(moment: datetime):  # type: ignore[no-untyped-def]
    return time_machine.travel(moment, tick=False)


def ping(network, users, body: str) -> None:  # type: ignore[no-untyped-def]
    with scope(network=network):
        notify(network, users, "announcement", params={"title": body}, body=body)


def invitations(world: World) -> set[str]:
    with scopes_disabled():
        return set(Invitation.objects.values_list("email", flat=True))


def test_invitations_never_accepted_go_after_24_months(world: World) -> None:
    now = timezone.now()
    edge = months_before(now, 24)
    with scope(network=world.net_a):
        with at(edge - HOUR):
            Invitation.objects.create(network=world.net_a, email="old@example.jp", status="sent")
            Invitation.objects.create(
                network=world.net_a, email="joined@example.jp", status=InvitationStatus.ACCEPTED
            )
            # Made long ago, but mailed again within the period.
            Invitation.objects.create(
                network=world.net_a,
                email="resent@example.jp",
                status="sent",
                sent_at=now - timedelta(days=30),
            )
            Invitation.objects.create(
                network=world.net_a, email="blocked@example.jp", status="sent"
            )
        do_block(world.net_a.pk, ["blocked@example.jp"], source="operator")
        with at(edge + HOUR):
            Invitation.objects.create(network=world.net_a, email="recent@example.jp")

    with at(now):
        totals = purge_expired()

    assert totals["invitations"] == 2
    assert invitations(world) == {"joined@example.jp", "resent@example.jp", "recent@example.jp"}
    # The address's row is gone, its place on the do-not-invite list is not.
    with scope(network=world.net_a):
        assert is_blocked(world.net_a.pk, "blocked@example.jp")


def test_notifications_go_after_12_months_and_leave_the_bell(world: World) -> None:
    now = timezone.now()
    edge = months_before(now, 12)
    member = world.alumni_a
    with at(edge - HOUR):
        ping(world.net_a, [member.user], "old")
        ping(world.net_b, [world.alumni_b.user], "b")
    with at(edge + HOUR):
        ping(world.net_a, [member.user], "new")
    with at(now):
        with scope(network=world.net_a):
            assert unread_count(world.net_a, member.user) == 2  # now cached
        purge_expired()
        with scope(network=world.net_a):
            assert unread_count(world.net_a, member.user) == 1
    with scopes_disabled():
        assert list(Notification.objects.values_list("body", flat=True)) == ["new"]


def test_audit_entries_go_after_3_years_and_only_through_the_purge(world: World) -> None:
    now = timezone.now()
    edge = months_before(now, 36)
    with scope(network=world.net_a):
        with at(edge - HOUR):
            record(world.operator_a, AuditAction.EXPORT_ROSTER, rows=1)
        with at(edge + HOUR):
            kept = record(world.operator_a, AuditAction.EXPORT_ROSTER, rows=2)
        with pytest.raises(ValueError):
            AuditEntry.objects.filter(pk=kept.pk).delete()
        with pytest.raises(ValueError):
            kept.delete()
        kept.detail = {"rows": 3}
        with pytest.raises(ValueError):
            kept.save()

    with at(now):
        assert purge_expired()["audit"] == 1

    with scope(network=world.net_a):
        rows = [e.detail.get("rows") for e in AuditEntry.objects.filter(action="roster.export")]
    assert rows == [2]


def test_the_purge_is_recorded_once_per_network_and_a_second_run_does_nothing(
    world: World,
) -> None:
    now = timezone.now()
    with at(months_before(now, 24) - HOUR):
        ping(world.net_a, [world.alumni_a.user], "x")
        with scope(network=world.net_a):
            Invitation.objects.create(network=world.net_a, email="old@example.jp", status="sent")

    with at(now):
        assert apply_retention() == {"invitations": 1, "notifications": 1, "audit": 0}
        assert apply_retention() == {"invitations": 0, "notifications": 0, "audit": 0}

    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(action=AuditAction.RETENTION))
    assert [(e.network_id, e.detail["purged"]) for e in entries] == [
        (world.net_a.pk, {"invitations": 1, "notifications": 1})
    ]
    page = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/manage/audit/", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "Deleted records past their retention period" in text
    assert "1 invitations, 1 notifications, 0 audit records" in text


def test_the_purge_deletes_in_batches(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "BATCH", 3)
    now = timezone.now()
    users = [world.alumni_a.user, world.employee_a.user, world.supporter_a.user]
    with at(months_before(now, 12) - HOUR):
        for _ in range(4):
            ping(world.net_a, users[:3], "old")
    with at(now):
        ping(world.net_a, users[:2], "new")
        with CaptureQueriesContext(connection) as queries:
            assert purge_expired()["notifications"] == 12
    deletes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "notify_')
    ]
    assert len(deletes) == 4  # 12 rows, 3 per transaction
    with scopes_disabled():
        assert sorted(Notification.objects.values_list("body", flat=True)) == ["new", "new"]


def test_a_period_of_zero_keeps_records_for_ever(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RETENTION_NOTIFICATION_MONTHS = 0
    with at(timezone.now() - timedelta(days=3650)):
        ping(world.net_a, [world.alumni_a.user], "x")
    assert purge_expired()["notifications"] == 0
    with scopes_disabled():
        assert Notification.objects.count() == 1


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    tz = timezone.get_current_timezone()
    end_of_march = datetime(2026, 3, 31, 9, tzinfo=tz)
    assert months_before(end_of_march, 1) == datetime(2026, 2, 28, 9, tzinfo=tz)
    assert months_before(datetime(2026, 1, 15, tzinfo=tz), 24) == datetime(2024, 1, 15, tzinfo=tz)


def test_the_command_runs_the_same_purge(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    with at(timezone.now() - timedelta(days=400)):
        ping(world.net_a, [world.alumni_a.user], "old")
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "1 notification(s)" in out.getvalue()
    with scopes_disabled():
        assert not Notification.objects.exists()
