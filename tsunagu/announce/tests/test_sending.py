"""Sending: to the chosen audience only, skipping and counting those who turned announcements
off, once per member however it is clicked, interrupted or shared, audited with its counts, and
within the monthly cap."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts import delivery
from tsunagu.announce import tasks
from tsunagu.announce.actions import do_send_announcement
from tsunagu.announce.models import Announcement, AnnounceSettings, Delivery, DeliveryState, State
from tsunagu.announce.prefs import declining
from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.testing.mail import site_mail_server
from tsunagu.notify.actions import do_set_email_preference
from tsunagu.notify.models import Notification, NotificationPreference
from tsunagu.notify.reads import wants_email
from tsunagu.tenancy.actions import do_change_status
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

from .helpers import base, mails_to, make_draft, post_send, reload, send_form, text_of

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """The worker process ends in the middle of the run (no ``except Exception`` catches it)."""


def crowd(world: World, count: int, role: str = Role.ALUMNI) -> list[Membership]:
    return [
        make_member(
            world.net_a,
            make_user(email=f"kaiin{i:03d}@example.jp", name=f"会員 {i:03d}"),
            role=role,
        )
        for i in range(count)
    ]


def turn_off(member: Membership) -> None:
    with scope(network=member.network):
        do_set_email_preference(member.network, member.user, "announcement", False)


def entries(world: World, action: str) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(network=world.net_a, action=action))


def sent_to(world: World, announcement: Announcement) -> None:
    """What the send button does, with the tasks run as after the request's commit."""
    with scope(network=world.net_a):
        announcement = Announcement.objects.get(pk=announcement.pk)
        announcement.network = world.net_a
        do_send_announcement(
            world.operator_a, announcement, announcement.key, announcement.revision
        )


def test_the_audience_gets_it_and_those_who_turned_it_off_are_skipped_and_counted(
    world: World, committed: Any
) -> None:
    turn_off(world.supporter_a)
    draft = make_draft(world.operator_a, subject="秋の総会のご案内")
    client = world.client(world.operator_a)
    with committed():
        answer = post_send(client, world, draft)
    assert answer.status_code == 302
    got = Counter(m.to[0] for m in mail.outbox)
    everyone = {m.user.email for m in (world.operator_a, world.employee_a, world.alumni_a)}
    assert set(got) == everyone and set(got.values()) == {1}
    [message] = mails_to(world.alumni_a.user.email)
    assert message.subject == "秋の総会のご案内"
    assert "11月15日に本社で総会を開きます。" in message.body
    assert "<p>11月15日に本社で総会を開きます。</p>" in text_of(message)

    draft = reload(draft)
    assert draft.state == State.DONE
    assert (draft.audience_size, draft.sent_count, draft.skipped_count, draft.failed_count) == (
        4,
        3,
        1,
        0,
    )
    page = client.get(f"{base(world)}{draft.pk}/").content.decode()
    assert 'data-count="recipients">4<' in page and 'data-count="skipped">1<' in page
    assert 'data-count="sent">3<' in page and 'data-count="failed">0<' in page


def test_each_send_is_audited_with_its_audience_and_its_counts(
    world: World, committed: Any
) -> None:
    turn_off(world.alumni_a)
    draft = make_draft(world.operator_a, subject="年末のご挨拶")
    with committed():
        post_send(world.client(world.operator_a), world, draft)
    [sent] = entries(world, AuditAction.SEND_ANNOUNCEMENT)
    assert sent.actor_id == world.operator_a.user_id
    assert sent.detail["audience"] == 4 and sent.detail["subject"] == "年末のご挨拶"
    [done] = entries(world, AuditAction.ANNOUNCEMENT_DELIVERED)
    assert done.detail | {} == {
        "subject": "年末のご挨拶",
        "audience": 4,
        "sent": 3,
        "skipped": 1,
        "failed": 0,
        "gone": 0,
    }
    log = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/audit/")
    assert "年末のご挨拶" in log.content.decode()


def test_an_employees_only_announcement_never_mails_an_alumnus(
    world: World, committed: Any
) -> None:
    crowd(world, 3)
    colleagues = crowd(world, 0) + [
        make_member(world.net_a, make_user(name=f"社員 {i}"), role=Role.EMPLOYEE) for i in range(2)
    ]
    draft = make_draft(world.operator_a, subject="社員向け 説明会", audience="employees")
    with committed():
        post_send(world.client(world.operator_a), world, draft)
    got = {m.to[0] for m in mail.outbox}
    assert got == {m.user.email for m in [world.employee_a, *colleagues]}
    with scopes_disabled():
        alumni = Membership.objects.filter(network=world.net_a).exclude(role=Role.EMPLOYEE)
        assert not got & {m.user.email for m in alumni.select_related("user")}
    assert reload(draft).audience_size == 3


def test_a_member_of_two_networks_gets_only_this_networks_announcement_by_this_networks_choice(
    world: World, committed: Any
) -> None:
    both = make_user(email="futatsu@example.jp", name="二重 所属")
    in_a = make_member(world.net_a, both)
    in_b = make_member(world.net_b, both)
    turn_off(in_b)  # off in B, not in A
    draft = make_draft(world.operator_a, subject="三ツ葉の総会")
    with committed():
        post_send(world.client(world.operator_a), world, draft)
    [message] = mails_to("futatsu@example.jp")
    assert "三ツ葉商事 アルムナイ" in text_of(message) and "ひだまり" not in text_of(message)
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert f"/n/{world.net_a.slug}/unsubscribe/" in link
    assert not mails_to(world.alumni_b.user.email)  # B's own members are not A's audience

    # Now off in A as well: A's next announcement skips them; B's choice stays B's.
    turn_off(in_a)
    second = make_draft(world.operator_a, subject="三ツ葉の忘年会")
    mail.outbox.clear()
    with committed():
        post_send(world.client(world.operator_a), world, second)
    assert not mails_to("futatsu@example.jp")
    assert reload(second).skipped_count == 1
    with scope(network=world.net_b):
        assert not wants_email(world.net_b, both.pk, "announcement")


def test_an_empty_audience_is_refused_and_nothing_is_recorded(world: World, committed: Any) -> None:
    draft = make_draft(world.operator_a, audience="segment", left_from="2031")
    with committed():
        answer = post_send(world.client(world.operator_a), world, draft)
    assert answer.status_code == 400
    assert answer.context["audience_count"] == 0
    assert "data-refusal" in answer.content.decode()
    assert "この配信先には対象者がいません。配信先を選び直してから送信してください。" in (
        answer.content.decode()
    )
    assert reload(draft).state == State.DRAFT
    assert mail.outbox == [] and entries(world, AuditAction.SEND_ANNOUNCEMENT) == []


def test_a_double_click_on_send_sends_once(world: World, committed: Any) -> None:
    draft = make_draft(world.operator_a)
    client = world.client(world.operator_a)
    form = send_form(draft)
    with committed():
        first = client.post(f"{base(world)}{draft.pk}/send/", form)
        second = client.post(f"{base(world)}{draft.pk}/send/", form)
    assert first.status_code == second.status_code == 302
    assert set(Counter(m.to[0] for m in mail.outbox).values()) == {1}
    assert len(mail.outbox) == 4
    assert len(entries(world, AuditAction.SEND_ANNOUNCEMENT)) == 1
    with scopes_disabled():
        assert Delivery.objects.filter(announcement=draft).count() == 4


def test_a_send_form_for_an_older_version_or_another_announcement_is_refused(
    world: World, committed: Any
) -> None:
    draft = make_draft(world.operator_a)
    other = make_draft(world.operator_a, subject="別のお知らせ")
    client = world.client(world.operator_a)
    stale = send_form(draft)
    client.post(
        f"{base(world)}{draft.pk}/edit/",
        {**stale, "subject": "件名を直しました", "body": "本文", "audience": "all"},
    )
    with committed():
        assert client.post(f"{base(world)}{draft.pk}/send/", stale).status_code == 400
        foreign = {**send_form(draft), "key": str(other.key)}
        assert client.post(f"{base(world)}{draft.pk}/send/", foreign).status_code == 400
        assert client.post(f"{base(world)}{draft.pk}/send/", {"key": "x"}).status_code == 400
    assert mail.outbox == [] and reload(draft).state == State.DRAFT


def test_a_sent_announcement_can_no_longer_be_edited_or_deleted(
    world: World, committed: Any
) -> None:
    draft = make_draft(world.operator_a)
    client = world.client(world.operator_a)
    with committed():
        post_send(client, world, draft)
    answer = client.post(
        f"{base(world)}{draft.pk}/edit/",
        {"subject": "差し替え", "body": "本文", "audience": "all"},
    )
    assert answer.status_code == 302
    assert client.post(f"{base(world)}{draft.pk}/delete/").status_code == 302
    assert reload(draft).subject == "秋の総会のご案内"


def test_a_test_goes_to_the_operator_alone_marked_and_not_counted(
    world: World, committed: Any
) -> None:
    with scopes_disabled():
        AnnounceSettings.objects.create(network=world.net_a, monthly_cap=1)
    draft = make_draft(world.operator_a, subject="総会のご案内")
    client = world.client(world.operator_a)
    with committed():
        assert client.post(f"{base(world)}{draft.pk}/test/").status_code == 302
        assert client.post(f"{base(world)}{draft.pk}/test/").status_code == 302
    assert [m.to for m in mail.outbox] == [[world.operator_a.user.email]] * 2
    assert mail.outbox[0].subject == "【テスト】総会のご案内"
    assert reload(draft).state == State.DRAFT
    mail.outbox.clear()
    with committed():
        assert post_send(client, world, draft).status_code == 302  # the month's one place
    assert len(mail.outbox) == 4


def test_the_monthly_cap_refuses_the_next_send_until_the_networks_next_month(
    world: World, committed: Any
) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    client = world.client(world.operator_a)
    with time_machine.travel(datetime(2026, 10, 31, 23, 0, tzinfo=tokyo), tick=False):
        for n in range(4):
            with committed():
                assert post_send(client, world, make_draft(world.operator_a)).status_code == 302, n
        fifth = make_draft(world.operator_a, subject="今月5通目")
        page = client.get(f"{base(world)}{fifth.pk}/")
        assert page.context["allowance"].left == 0
        assert b"data-send-form" not in page.content
        mail.outbox.clear()
        with committed():
            refused = post_send(client, world, fifth)
        assert refused.status_code == 400 and "data-refusal" in refused.content.decode()
        assert mail.outbox == [] and reload(fifth).state == State.DRAFT
    # Midnight in Tokyo (15:00 UTC the day before): a new month of the network's days.
    next_month = datetime(2026, 11, 1, 0, 5, tzinfo=tokyo)
    with time_machine.travel(next_month, tick=False), committed():
        assert post_send(client, world, fifth).status_code == 302
    assert reload(fifth).state == State.DONE


def test_an_operator_changes_the_monthly_cap(world: World, committed: Any) -> None:
    client = world.client(world.operator_a)
    answer = client.post(base(world) + "limit/", {"monthly_cap": "1"})
    assert answer.status_code == 302
    [entry] = entries(world, AuditAction.ANNOUNCEMENT_SETTINGS)
    assert entry.detail == {"before": 4, "after": 1}
    with committed():
        post_send(client, world, make_draft(world.operator_a))
    with committed():
        assert post_send(client, world, make_draft(world.operator_a)).status_code == 400
    for bad in ("-1", "32", "沢山", ""):
        assert client.post(base(world) + "limit/", {"monthly_cap": bad}).status_code == 400, bad
    assert client.post(base(world) + "limit/", {"monthly_cap": "0"}).status_code == 302


def test_the_bulk_preference_agrees_with_wants_email(world: World) -> None:
    turn_off(world.alumni_a)
    with scope(network=world.net_a):
        do_set_email_preference(world.net_a, world.employee_a.user, "announcement", True)
        ids = [m.user_id for m in (world.operator_a, world.employee_a, world.alumni_a)]
        declined = declining(world.net_a, ids)
        for user_id in ids:
            assert (user_id in declined) == (not wants_email(world.net_a, user_id, "announcement"))
    assert declined == {world.alumni_a.user_id}


def test_members_get_it_in_the_app_too_even_with_the_mail_turned_off(
    world: World, committed: Any
) -> None:
    turn_off(world.alumni_a)
    draft = make_draft(world.operator_a, subject="総会のご案内")
    with committed():
        post_send(world.client(world.operator_a), world, draft)
    with scopes_disabled():
        notes = Notification.objects.filter(network=world.net_a, kind="announcement")
        assert {n.recipient_id for n in notes} >= {world.alumni_a.user_id}
        assert all(n.params["title"] == "総会のご案内" for n in notes)
        assert all(n.emailed_at is None for n in notes)  # the announcement's own mail says it
    assert len(mail.outbox) == 3


def test_a_member_who_left_before_their_chunk_is_counted_apart(world: World) -> None:
    crowd(world, 2)
    draft = make_draft(world.operator_a)
    with scope(network=world.net_a):
        announcement = Announcement.objects.get(pk=draft.pk)
        announcement.network = world.net_a
        do_send_announcement(world.operator_a, announcement, draft.key, 0)  # tasks not run yet
        do_change_status(world.operator_a, world.alumni_a, Status.LEFT)
    tasks.plan_announcement(world.net_a.pk, draft.pk)
    assert not mails_to(world.alumni_a.user.email)
    draft = reload(draft)
    assert (draft.audience_size, draft.sent_count, draft.gone_count) == (6, 5, 1)


def test_sending_is_spread_at_the_sites_rate(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.INVITATION_EMAILS_PER_MINUTE = 2
    crowd(world, 1)  # five members in A
    draft = make_draft(world.operator_a)
    sent_to(world, draft)
    calls: list[tuple[list[int], float]] = []
    monkeypatch.setattr(
        tasks.send_announcement_chunk,
        "apply_async",
        lambda args, countdown: calls.append((args[2], countdown)),
    )
    assert tasks.plan_announcement(world.net_a.pk, draft.pk) == 5
    assert [len(ids) for ids, _ in calls] == [2, 2, 1]
    assert [countdown for _, countdown in calls] == [0, 60, 120]
    assert reload(draft).state == State.SENDING


def test_a_send_interrupted_mid_way_and_restarted_mails_nobody_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = crowd(world, 30)
    draft = make_draft(world.operator_a)
    sent_to(world, draft)
    real_deliver = delivery.deliver
    calls = {"n": 0}

    def dies_at_the_tenth(message: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 10:
            raise WorkerDied
        real_deliver(message)

    monkeypatch.setattr(delivery, "deliver", dies_at_the_tenth)
    with pytest.raises(WorkerDied):
        tasks.plan_announcement(world.net_a.pk, draft.pk)
    assert len(mail.outbox) == 9

    # The broker hands the task to another worker; later beat finds the send unfinished.
    monkeypatch.setattr(delivery, "deliver", real_deliver)
    tasks.plan_announcement(world.net_a.pk, draft.pk)
    tasks.plan_announcement(world.net_a.pk, draft.pk)
    everyone = {m.user.email for m in members} | {
        m.user.email
        for m in (world.operator_a, world.supporter_a, world.employee_a, world.alumni_a)
    }
    sent = Counter(m.to[0] for m in mail.outbox)
    assert max(sent.values()) == 1
    # The one the dead worker was sending waits until its claim expires, then gets it once.
    assert len(sent) == len(everyone) - 1 and reload(draft).state == State.SENDING
    with scopes_disabled():
        Delivery.objects.filter(state=DeliveryState.PENDING).update(
            sending_since=timezone.now() - timedelta(minutes=16)
        )
        Announcement.objects.filter(pk=draft.pk).update(
            last_chunk_due_at=timezone.now() - timedelta(minutes=16)
        )
    assert tasks.resume_announcements() == 1
    sent = Counter(m.to[0] for m in mail.outbox)
    assert set(sent) == everyone and set(sent.values()) == {1}
    assert reload(draft).state == State.DONE
    assert len(entries(world, AuditAction.ANNOUNCEMENT_DELIVERED)) == 1
    assert tasks.resume_announcements() == 0


def test_a_chunk_delivered_twice_sends_once(world: World) -> None:
    crowd(world, 5)
    draft = make_draft(world.operator_a)
    sent_to(world, draft)
    with scopes_disabled():
        ids = list(Delivery.objects.filter(announcement=draft).values_list("pk", flat=True))
    tasks.send_announcement_chunk(world.net_a.pk, draft.pk, ids)
    tasks.send_announcement_chunk(world.net_a.pk, draft.pk, ids)
    tasks.plan_announcement(world.net_a.pk, draft.pk)
    sent = Counter(m.to[0] for m in mail.outbox)
    assert len(sent) == 9 and set(sent.values()) == {1}
    assert len(entries(world, AuditAction.ANNOUNCEMENT_DELIVERED)) == 1


@pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="workers racing for the same rows need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_workers_sharing_the_same_chunk_mail_each_member_once(world: World) -> None:
    members = crowd(world, 40)
    draft = make_draft(world.operator_a)
    sent_to(world, draft)
    with scopes_disabled():
        ids = list(Delivery.objects.filter(announcement=draft).values_list("pk", flat=True))
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(order: list[int]) -> None:
        try:
            start.wait()
            tasks.send_announcement_chunk(world.net_a.pk, draft.pk, order)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    orders = [ids, ids[::-1], ids[10:] + ids[:10], ids[20:] + ids[:20]]
    threads = [threading.Thread(target=worker, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent = Counter(m.to[0] for m in mail.outbox)
    assert len(sent) == len(members) + 4 and set(sent.values()) == {1}
    assert reload(draft).state == State.DONE
    assert len(entries(world, AuditAction.ANNOUNCEMENT_DELIVERED)) == 1


@pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="two requests racing for the same row need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_send_requests_at_the_same_moment_make_one_send(world: World) -> None:
    draft = make_draft(world.operator_a)
    start = threading.Barrier(2)
    results: list[object] = []

    def click() -> None:
        try:
            start.wait()
            with scope(network=world.net_a):
                announcement = Announcement.objects.get(pk=draft.pk)
                announcement.network = world.net_a
                results.append(do_send_announcement(world.operator_a, announcement, draft.key, 0))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results)) == ["False", "True"]
    with scopes_disabled():
        assert Delivery.objects.filter(announcement=draft).count() == 4
    assert len(entries(world, AuditAction.SEND_ANNOUNCEMENT)) == 1


def test_a_real_mail_server_receives_it_with_one_click_unsubscribe(
    world: World, settings: Any, committed: Any
) -> None:
    draft = make_draft(world.operator_a, subject="総会のご案内", source_url="https://example.jp/x")
    with site_mail_server(settings) as server:
        server.start()
        with committed():
            post_send(world.client(world.operator_a), world, draft)
        assert sum(server.delivered().values()) == 4
        [(_to, message)] = [
            (to, m) for to, m in server.received if to == [world.alumni_a.user.email]
        ]
    assert str(message["Subject"]) == "総会のご案内"
    text = message.get_body(("plain",)).get_content()
    assert "11月15日に本社で総会を開きます。" in text and "https://example.jp/x" in text
    html = message.get_body(("html",)).get_content()
    assert "<p>11月15日に本社で総会を開きます。</p>" in html
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith(f"{settings.SITE_URL}/n/{world.net_a.slug}/unsubscribe/")
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    answer = world.client(None).post(link.removeprefix(settings.SITE_URL))
    assert answer.status_code == 200
    with scope(network=world.net_a):
        assert not wants_email(world.net_a, world.alumni_a.user_id, "announcement")


def test_a_mail_server_that_is_down_gets_the_mails_later(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = make_draft(world.operator_a)
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.retry_announcement, "apply_async", lambda args, countdown: queued.append(args)
    )
    with site_mail_server(settings) as server:
        sent_to(world, draft)
        tasks.plan_announcement(world.net_a.pk, draft.pk)  # the server is down
        assert server.received == [] and len(queued) == 4
        assert reload(draft).state == State.SENDING
        tasks.plan_announcement(world.net_a.pk, draft.pk)  # waiting rows are the retries'
        assert len(queued) == 4
        server.start()
        for network_id, row_id in queued:
            tasks.retry_announcement(network_id, row_id)
        assert sum(server.delivered().values()) == 4
        tasks.plan_announcement(world.net_a.pk, draft.pk)
        assert sum(server.delivered().values()) == 4
    draft = reload(draft)
    assert draft.state == State.DONE and draft.sent_count == 4


def test_an_address_the_server_refuses_is_counted_as_failed(
    world: World, settings: Any, committed: Any
) -> None:
    draft = make_draft(world.operator_a)
    with site_mail_server(settings) as server:
        server.start()
        server.refuse(world.alumni_a.user.email, "550 5.1.1 No such user")
        with committed():
            post_send(world.client(world.operator_a), world, draft)
        assert sum(server.delivered().values()) == 3
    draft = reload(draft)
    assert (draft.sent_count, draft.failed_count) == (3, 1)
    with scopes_disabled():
        row = Delivery.objects.get(announcement=draft, user=world.alumni_a.user)
    assert row.state == DeliveryState.FAILED and "550" in row.error
    # The address is marked: its owner is asked to update it, the operators count it.
    assert delivery.refusal_of(world.alumni_a.user.email) is not None


def test_an_address_already_marked_as_bouncing_is_not_mailed_and_counted_as_failed(
    world: World, committed: Any
) -> None:
    delivery.note_refusal(world.alumni_a.user.email, "550 5.1.1 User unknown")
    draft = make_draft(world.operator_a)
    with committed():
        post_send(world.client(world.operator_a), world, draft)
    assert mails_to(world.alumni_a.user.email) == []
    assert len(mail.outbox) == 3
    draft = reload(draft)
    assert (draft.sent_count, draft.failed_count, draft.skipped_count) == (3, 1, 0)
    with scopes_disabled():
        row = Delivery.objects.get(announcement=draft, user=world.alumni_a.user)
    assert row.state == DeliveryState.FAILED and "550 5.1.1 User unknown" in row.error


def test_a_member_who_changed_only_another_channel_still_gets_the_mail(
    world: World, committed: Any
) -> None:
    # The alumnus turned announcements off on their devices only: no e-mail choice is stored.
    with scope(network=world.net_a):
        NotificationPreference.objects.create(
            network=world.net_a, user=world.alumni_a.user, kind="announcement", push=False
        )
    draft = make_draft(world.operator_a, subject="年末のご挨拶")
    with committed():
        post_send(world.client(world.operator_a), world, draft)

    assert len(mails_to(world.alumni_a.user.email)) == 1
    assert reload(draft).skipped_count == 0
