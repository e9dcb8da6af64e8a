"""Co-hosted events: invitations and answers, the partner's members applying from their own
network, places shared or kept, the attendees as each side's operators see them, the end."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.collab.actions import do_revoke_link
from tsunagu.collab.models import CoHost, Disclosure
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.actions import do_register
from tsunagu.events.models import Audience, Registration, RegistrationStatus
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import CANARY_A, World

from .helpers import cohost_event, link_networks, opt_in

S = RegistrationStatus


def events_url(member: Any, rest: str = "") -> str:
    return f"/n/{member.network.slug}/links/events/{rest}"


def apply(member: Any, event: Any, action: str = "apply") -> str:
    client = _client(member)
    response = client.post(events_url(member, f"{event.pk}/apply/"), {"action": action})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


_clients: dict[int, Any] = {}


def _client(member: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(member.user)
    return client


@pytest.mark.django_db
def test_an_invited_network_shows_the_event_to_its_members_once_its_operators_accept(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events", "directory"))
    event = make_event(world.net_a, title="合同キャリア勉強会")
    owner = world.client(world.operator_a)
    with django_capture_on_commit_callbacks(execute=True):
        page = owner.post(
            f"/n/mitsuba-a/links/events/{event.pk}/hosts/", {"link": link.pk, "seats": "shared"}
        )
    assert page.status_code == 302
    b_list = world.client(world.alumni_b)
    assert "合同キャリア勉強会" not in b_list.get("/n/hidamari-b/events/").content.decode()
    assert b_list.get(events_url(world.alumni_b, f"{event.pk}/")).status_code == 404
    invitations = world.client(world.operator_b).get("/n/hidamari-b/links/events/")
    assert "合同キャリア勉強会" in invitations.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answered = world.client(world.operator_b).post(
            events_url(world.operator_b, f"{event.pk}/answer/"), {"decision": "accept"}
        )
    assert answered.status_code == 302
    assert "合同キャリア勉強会" in b_list.get("/n/hidamari-b/events/").content.decode()
    page = apply(world.alumni_b, event)
    assert "参加が確定しました" in page or "Your place is confirmed" in page
    with scopes_disabled():
        registration = Registration.objects.get(event=event, user=world.alumni_b.user)
        assert registration.network_id == world.net_b.pk  # the member's own network
        for network, actions in (
            (world.net_a, {AuditAction.COHOST_INVITE, AuditAction.COHOST_ACCEPT}),
            (world.net_b, {AuditAction.COHOST_INVITE, AuditAction.COHOST_ACCEPT}),
        ):
            found = set(AuditEntry.objects.filter(network=network).values_list("action", flat=True))
            assert actions <= found, network
    # The owner's own pages list only its own members: the participant list shows nobody.
    detail = world.client(world.alumni_a).get(f"/n/mitsuba-a/events/{event.pk}/").content.decode()
    assert "山本 翔太" not in detail


@pytest.mark.django_db
def test_a_declined_invitation_shows_nothing_and_an_employees_event_stays_with_employees(
    world: World,
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    declined = make_event(world.net_a, title="断られた交流会")
    from tsunagu.collab.cohosting import do_answer_cohost, do_invite_cohost

    with scope(network=world.net_a):
        row = do_invite_cohost(world.operator_a, declined, link.pk)
    with scope(network=world.net_b):
        do_answer_cohost(world.operator_b, row, accept=False)
    staff_only = make_event(world.net_a, title="社員限定の会", audience=Audience.EMPLOYEES)
    cohost_event(staff_only, world.operator_a, world.operator_b, link)
    page = world.client(world.alumni_b).get("/n/hidamari-b/events/").content.decode()
    assert "断られた交流会" not in page and "社員限定の会" not in page
    assert (
        world.client(world.alumni_b)
        .get(events_url(world.alumni_b, f"{staff_only.pk}/"))
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_a_partner_over_its_quota_gets_a_clear_error_or_the_waiting_list(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    strict = make_event(world.net_a, title="定員厳守の会", capacity=10, waitlist=False)
    cohost_event(strict, world.operator_a, world.operator_b, link, quota=1)
    apply(world.alumni_b, strict)
    page = apply(world.supporter_b, strict)
    assert "このネットワークのメンバー用の枠はすべて埋まりました" in page or (
        "The places kept for members of your network are all taken." in page
    )
    relaxed = make_event(world.net_a, title="待てる会", capacity=10)
    cohost_event(relaxed, world.operator_a, world.operator_b, link, quota=1)
    apply(world.alumni_b, relaxed)
    apply(world.supporter_b, relaxed)
    with scopes_disabled():
        statuses = dict(Registration.objects.filter(event=relaxed).values_list("user_id", "status"))
    assert statuses == {
        world.alumni_b.user_id: S.CONFIRMED,
        world.supporter_b.user_id: S.WAITLISTED,
    }
    apply(world.alumni_b, relaxed, "cancel")  # the freed place goes to the next of B
    with scopes_disabled():
        assert Registration.objects.get(event=relaxed, user=world.supporter_b.user).status == (
            S.CONFIRMED
        )


@pytest.mark.django_db
def test_shared_places_are_counted_across_both_networks(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    event = make_event(world.net_a, title="二席の会", capacity=2)
    cohost_event(event, world.operator_a, world.operator_b, link)
    with scope(network=world.net_a):
        assert do_register(world.alumni_a, event).status == S.CONFIRMED
    apply(world.alumni_b, event)
    with scope(network=world.net_a):
        assert do_register(world.employee_a, event).status == S.WAITLISTED


@pytest.mark.django_db
def test_each_operator_sees_own_members_in_full_and_others_only_as_they_share(
    world: World, django_assert_max_num_queries: Any
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events", "directory"))
    event = make_event(world.net_a, title="合同勉強会")
    cohost_event(event, world.operator_a, world.operator_b, link)
    opt_in(world.alumni_a, link)  # 田中 shares; 鈴木 (employee) does not
    opt_in(world.alumni_b, link)
    with scope(network=world.net_a):
        do_register(world.alumni_a, event)
        do_register(world.employee_a, event)
    apply(world.alumni_b, event)
    apply(world.supporter_b, event)  # does not share
    page_b = world.client(world.operator_b).get(
        events_url(world.operator_b, f"{event.pk}/attendees/")
    )
    body = page_b.content.decode()
    assert "田中 花子" in body and "鈴木 一郎" not in body
    assert body.count(CANARY_A) == 1  # A's one member who shares, by name only
    assert world.alumni_b.user.email in body and world.supporter_b.user.email in body  # own
    owner = world.client(world.operator_a)
    url = events_url(world.operator_a, f"{event.pk}/attendees/")
    owner.get(url)
    for i in range(5):  # more attendees, the same number of queries
        member = make_member(world.net_b, make_user(name=f"追加 {i}"))
        apply(member, event)
    with django_assert_max_num_queries(15):
        body = owner.get(url).content.decode()
    assert "山本 翔太" in body and "渡辺 さくら" not in body and "追加 0" not in body
    assert world.alumni_a.user.email in body
    with scopes_disabled():
        shown = set(Disclosure.objects.values_list("viewer_network_id", "membership_id"))
    assert shown == {(world.net_b.pk, world.alumni_a.pk), (world.net_a.pk, world.alumni_b.pk)}


@pytest.mark.django_db
def test_a_member_of_both_networks_is_shown_to_each_as_themselves_once(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events", "directory"))
    event = make_event(world.net_a, title="両方の会")
    cohost_event(event, world.operator_a, world.operator_b, link)
    both = make_member(world.net_a, make_user(name="両属 太郎"))
    in_b = make_member(world.net_b, both.user)
    apply(in_b, event)
    for operator in (world.operator_a, world.operator_b):
        body = (
            world.client(operator)
            .get(events_url(operator, f"{event.pk}/attendees/"))
            .content.decode()
        )
        assert body.count("両属 太郎") == 1 and "data-own" in body
    with scope(network=world.net_a), pytest.raises(Exception, match="already applied|すでに"):
        do_register(both, event)


@pytest.mark.django_db
def test_a_revoked_link_ends_the_cohosting_and_leaves_counts_with_the_owner(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events", "directory"))
    event = make_event(world.net_a, title="終わる共催")
    cohost_event(event, world.operator_a, world.operator_b, link)
    opt_in(world.alumni_b, link)
    apply(world.alumni_b, event)
    with django_capture_on_commit_callbacks(execute=True), scope(network=world.net_b):
        do_revoke_link(world.operator_b, link)
    b = world.client(world.alumni_b)
    assert "終わる共催" not in b.get("/n/hidamari-b/events/").content.decode()
    assert b.get(events_url(world.alumni_b, f"{event.pk}/")).status_code == 404
    assert (
        world.client(world.operator_b)
        .get(events_url(world.operator_b, f"{event.pk}/attendees/"))
        .status_code
        == 404
    )
    body = (
        world.client(world.operator_a)
        .get(events_url(world.operator_a, f"{event.pk}/attendees/"))
        .content.decode()
    )
    assert "山本 翔太" not in body and "ひだまり OB・OG会" in body
    with scopes_disabled():
        assert CoHost.objects.get(event=event).state == "ended"
        assert AuditEntry.objects.filter(
            network=world.net_a, action=AuditAction.COHOST_END
        ).exists()
        assert AuditEntry.objects.filter(
            network=world.net_b, action=AuditAction.COHOST_END
        ).exists()


@pytest.mark.django_db
def test_only_the_owners_operators_invite_and_bad_input_is_refused(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    event = make_event(world.net_a, title="招待の会")
    url = f"/n/mitsuba-a/links/events/{event.pk}/hosts/"
    assert world.client(world.supporter_a).post(url, {"link": link.pk}).status_code in (403, 404)
    bad = world.client(world.operator_a).post(url, {"link": link.pk, "seats": "quota"})
    assert bad.status_code == 400 and 'class="errorlist"' in bad.content.decode()
    nonsense = world.client(world.operator_a).post(url, {"link": "x", "seats": "zzz"})
    assert nonsense.status_code == 400
    assert (
        world.client(world.operator_b)
        .post(f"/n/hidamari-b/links/events/{event.pk}/hosts/", {"link": link.pk, "seats": "shared"})
        .status_code
        == 404
    )
    assert make_member(world.net_a, make_user(), role=Role.ALUMNI)


@pytest.mark.django_db
def test_the_partners_event_list_costs_the_same_with_more_co_hosted_events(
    world: World, django_assert_max_num_queries: Any
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    client = world.client(world.alumni_b)
    client.get("/n/hidamari-b/events/")  # warm the caches of the layout

    def cohost(n: int, start: int) -> None:
        for i in range(start, start + n):
            cohost_event(
                make_event(world.net_a, title=f"共催の会 {i:02d}"),
                world.operator_a,
                world.operator_b,
                link,
            )

    cohost(1, 0)
    with django_assert_max_num_queries(8):
        assert "共催の会 00" in client.get("/n/hidamari-b/events/").content.decode()
    cohost(9, 1)
    with django_assert_max_num_queries(8):
        page = client.get("/n/hidamari-b/events/").content.decode()
    assert "共催の会 09" in page and page.count("data-cohosted-events") == 1


@pytest.mark.django_db
def test_partner_members_are_told_of_a_calling_off_and_reminded_in_their_own_network(
    world: World,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tsunagu.events.actions import do_call_off_event
    from tsunagu.events.tasks import remind_event
    from tsunagu.notify.models import Notification

    link = link_networks(world.operator_a, world.operator_b, ("events",))
    soon = make_event(world.net_a, title="明日の会", starts_at=timezone.now() + timedelta(hours=5))
    cohost_event(soon, world.operator_a, world.operator_b, link)
    apply(world.alumni_b, soon)
    assert remind_event(world.net_a.pk, soon.pk) == 1
    with scope(network=world.net_a):
        do_call_off_event(world.operator_a, soon, "台風のため")
    with scopes_disabled():
        told = Notification.objects.filter(recipient=world.alumni_b.user).order_by("pk")
        assert [(n.kind, n.network_id) for n in told] == [
            ("event_reminder", world.net_b.pk),
            ("event_called_off", world.net_b.pk),
        ]
        assert all(f"/n/hidamari-b/links/events/{soon.pk}/" in n.url for n in told)


@pytest.mark.django_db
def test_the_calendar_file_of_a_co_hosted_event_leads_to_the_partners_page(world: World) -> None:
    from icalendar import Calendar

    link = link_networks(world.operator_a, world.operator_b, ("events",))
    event = make_event(
        world.net_a, title="オンライン共催会", online_url="https://meet.example.jp/x"
    )
    cohost_event(event, world.operator_a, world.operator_b, link)
    url = events_url(world.alumni_b, f"{event.pk}/event.ics")

    def description() -> str:
        [item] = Calendar.from_ical(world.client(world.alumni_b).get(url).content).walk("VEVENT")
        assert str(item["url"]).endswith(f"/n/hidamari-b/links/events/{event.pk}/")
        return str(item["description"])

    assert "meet.example.jp" not in description()
    apply(world.alumni_b, event)
    assert "meet.example.jp" in description()


@pytest.mark.django_db
def test_places_kept_for_a_partner_leave_the_owners_own_places_open(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    event = make_event(world.net_a, title="一席ずつの会", capacity=1, waitlist=False)
    cohost_event(event, world.operator_a, world.operator_b, link, quota=1)
    apply(world.alumni_b, event)
    page = world.client(world.alumni_a).get(f"/n/mitsuba-a/events/{event.pk}/").content.decode()
    assert f"/n/mitsuba-a/events/{event.pk}/register/" in page  # not shown as full
    with scope(network=world.net_a):
        assert do_register(world.alumni_a, event).status == S.CONFIRMED


@pytest.mark.django_db
def test_a_link_that_stops_sharing_events_ends_its_co_hostings(world: World) -> None:
    from tsunagu.collab.actions import do_withdraw_scope

    link = link_networks(world.operator_a, world.operator_b, ("events", "directory"))
    event = make_event(world.net_a, title="途中で止める会")
    cohost_event(event, world.operator_a, world.operator_b, link)
    page = events_url(world.alumni_b, f"{event.pk}/")
    assert world.client(world.alumni_b).get(page).status_code == 200
    with scope(network=world.net_a):
        do_withdraw_scope(world.operator_a, link, "events")
    assert world.client(world.alumni_b).get(page).status_code == 404
    with scopes_disabled():
        assert CoHost.objects.get(event=event).state == "ended"


@pytest.mark.django_db
def test_the_owners_event_list_counts_the_places_partners_take(world: World) -> None:
    """Places shared: the partner's members take them, and the owner's list says so, as its
    event page does; a partner with places of its own leaves the owner's places as they were."""
    shared_link = link_networks(world.operator_a, world.operator_b, ("events",))
    shared = make_event(world.net_a, title="合同の交流会", capacity=10)
    apart = make_event(world.net_a, title="枠を分けた交流会", capacity=10)
    cohost_event(shared, world.operator_a, world.operator_b, shared_link)
    cohost_event(apart, world.operator_a, world.operator_b, shared_link, quota=5)
    for event in (shared, apart):
        apply(world.alumni_b, event)
        apply(world.supporter_b, event)
        with scope(network=world.net_a):
            do_register(world.alumni_a, event)

    def row(page: str, title: str) -> str:
        return page.split(title, 1)[1].split("</li>", 1)[0]

    page = world.client(world.employee_a).get("/n/mitsuba-a/events/").content.decode()
    assert "3 / 10" in row(page, "合同の交流会")
    assert "1 / 10" in row(page, "枠を分けた交流会")
    detail = world.client(world.employee_a).get(f"/n/mitsuba-a/events/{shared.pk}/")
    assert "3 / 10" in detail.content.decode()
