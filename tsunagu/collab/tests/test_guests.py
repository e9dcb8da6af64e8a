"""The co-hosted events a partner's event list shows, kept per partner network (guests.py):
the same events as the rule (access.filter_guest_cohosts) for every role and link state, and
gone at the next request after anything the rule reads changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.collab.access import filter_guest_cohosts
from tsunagu.collab.actions import do_revoke_link, do_withdraw_scope
from tsunagu.collab.cohosting import do_end_cohost
from tsunagu.collab.guests import guest_events
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.models import Audience
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Role, Status
from tsunagu.testing.world import World

from .helpers import cohost_event, link_networks

LIST = "/n/hidamari-b/events/"


def _members(world: World) -> list[Any]:
    employee_b = make_member(world.net_b, make_user(name="中村 社員"), role=Role.EMPLOYEE)
    suspended = make_member(world.net_b, make_user(name="停止 中"), role=Role.ALUMNI)
    suspended.status = Status.SUSPENDED
    suspended.save()
    return [world.operator_b, world.supporter_b, world.alumni_b, employee_b, suspended]


def _assert_parity(world: World, members: list[Any]) -> None:
    for member in members:
        with scope(network=member.network):
            rule = [row.event_id for row in filter_guest_cohosts(member, upcoming=True)]
            kept = [row.event_id for row in guest_events(member)]
        assert kept == rule, (member.role, member.status)


@pytest.mark.django_db
def test_the_kept_list_gives_what_the_rule_gives_for_every_role_and_link_state(
    world: World,
) -> None:
    members = _members(world)
    link = link_networks(world.operator_a, world.operator_b, ("events", "directory"))
    for title, audience in (
        ("全員向けの会", Audience.ALL),
        ("社員向けの会", Audience.EMPLOYEES),
        ("アルムナイ向けの会", Audience.ALUMNI),
    ):
        cohost_event(
            make_event(world.net_a, title=title, audience=audience),
            world.operator_a,
            world.operator_b,
            link,
        )
    past = make_event(world.net_a, title="終わった会")
    cohost_event(past, world.operator_a, world.operator_b, link)
    with scopes_disabled():
        past.starts_at = timezone.now() - timedelta(days=3)
        past.ends_at = timezone.now() - timedelta(days=2)
        past.save()
    _assert_parity(world, members)
    assert [r.title for r in guest_events(world.alumni_b)] != []
    with scope(network=world.net_a):
        do_withdraw_scope(world.operator_a, link, "events")
    _assert_parity(world, members)
    assert guest_events(world.alumni_b) == []


@pytest.mark.django_db
def test_every_change_the_rule_reads_shows_at_the_next_request(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    event = make_event(world.net_a, title="合同勉強会")
    client = world.client(world.alumni_b)
    assert "合同勉強会" not in client.get(LIST).content.decode()  # kept: nothing co-hosted
    row = cohost_event(event, world.operator_a, world.operator_b, link)
    assert "合同勉強会" in client.get(LIST).content.decode()

    # The owner renames the event, then gives it to employees only.
    with scopes_disabled():
        event.title = "合同勉強会（改題）"
        event.save()
    assert "合同勉強会（改題）" in client.get(LIST).content.decode()
    with scopes_disabled():
        event.audience = Audience.EMPLOYEES
        event.save()
    assert "合同勉強会" not in client.get(LIST).content.decode()
    with scopes_disabled():
        event.audience = Audience.ALL
        event.save()

    # The owner network renamed; then switched off.
    with scopes_disabled():
        world.net_a.name = "三ツ葉商事 OB会"
        world.net_a.save()
    assert "三ツ葉商事 OB会" in client.get(LIST).content.decode()
    with scopes_disabled():
        world.net_a.is_active = False
        world.net_a.save()
    assert "合同勉強会" not in client.get(LIST).content.decode()
    with scopes_disabled():
        world.net_a.is_active = True
        world.net_a.save()
    assert "合同勉強会" in client.get(LIST).content.decode()

    # Either side ends the co-hosting; then the link itself ends.
    with scope(network=world.net_b):
        do_end_cohost(world.operator_b, row)
    assert "合同勉強会" not in client.get(LIST).content.decode()
    other = make_event(world.net_a, title="二回目の合同勉強会")
    cohost_event(other, world.operator_a, world.operator_b, link)
    assert "二回目の合同勉強会" in client.get(LIST).content.decode()
    with scope(network=world.net_a):
        do_revoke_link(world.operator_a, link)
    assert "二回目の合同勉強会" not in client.get(LIST).content.decode()


@pytest.mark.django_db
def test_a_role_change_changes_what_the_kept_list_gives_at_once(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    cohost_event(
        make_event(world.net_a, title="アルムナイ限定の会", audience=Audience.ALUMNI),
        world.operator_a,
        world.operator_b,
        link,
    )
    client = world.client(world.alumni_b)
    assert "アルムナイ限定の会" in client.get(LIST).content.decode()
    member = world.alumni_b
    member.role = Role.EMPLOYEE
    member.save()
    assert "アルムナイ限定の会" not in client.get(LIST).content.decode()


def _cohost_for_employees(world: World, link: Any) -> None:
    """An event of A for its employees only, co-hosted with B: never shown to B's alumni."""
    cohost_event(
        make_event(world.net_a, title="社員だけの共催会", audience=Audience.EMPLOYEES),
        world.operator_a,
        world.operator_b,
        link,
    )


def _feed(world: World, member: Any, which: str) -> list[Any]:
    from icalendar import Calendar

    from tsunagu.events.calendar import make_feed_token

    token = make_feed_token(member.user_id, member.network_id)
    response = world.client(None).get(
        f"/n/{member.network.slug}/events/calendar/{token}/{which}.ics"
    )
    assert response.status_code == 200
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.mark.django_db
def test_the_partners_calendar_feeds_hold_the_co_hosted_events_while_they_are_co_hosted(
    world: World,
) -> None:
    from tsunagu.collab.cohosting import do_guest_register

    link = link_networks(world.operator_a, world.operator_b, ("events",))
    joint = make_event(world.net_a, title="合同交流会", online_url="https://meet.example.jp/j")
    row = cohost_event(joint, world.operator_a, world.operator_b, link)
    _cohost_for_employees(world, link)
    make_event(world.net_a, title="三ツ葉だけの会")  # not co-hosted: never in B's feeds

    every = _feed(world, world.alumni_b, "all")
    assert [str(item["summary"]) for item in every] == ["合同交流会"]
    [item] = every
    assert str(item["url"]).endswith(f"/n/hidamari-b/links/events/{joint.pk}/")
    assert "meet.example.jp" not in str(item["description"])  # no place held
    assert _feed(world, world.alumni_b, "mine") == []

    with scope(network=world.net_b):
        do_guest_register(world.alumni_b, row)
    [mine] = _feed(world, world.alumni_b, "mine")
    assert str(mine["summary"]) == "合同交流会" and "meet.example.jp" in str(mine["description"])
    # The owner's members see it as their own event, at their own address.
    owner = [str(item["url"]) for item in _feed(world, world.alumni_a, "all")]
    assert any(url.endswith(f"/n/mitsuba-a/events/{joint.pk}/") for url in owner)

    with scope(network=world.net_a):
        do_revoke_link(world.operator_a, link)
    assert _feed(world, world.alumni_b, "all") == []
    assert _feed(world, world.alumni_b, "mine") == []


@pytest.mark.django_db
def test_the_partners_month_calendar_shows_the_co_hosted_events_at_its_own_address(
    world: World,
) -> None:
    link = link_networks(world.operator_a, world.operator_b, ("events",))
    joint = make_event(world.net_a, title="合同の忘年会")
    cohost_event(joint, world.operator_a, world.operator_b, link)
    _cohost_for_employees(world, link)
    month = timezone.localdate(joint.starts_at).strftime("%Y-%m")
    client = world.client(world.alumni_b)

    def calendar() -> str:
        response = client.get("/n/hidamari-b/events/month/", {"month": month})
        assert response.status_code == 200
        return response.content.decode()

    page = calendar()
    assert "合同の忘年会" in page and "社員だけの共催会" not in page
    assert f'href="/n/hidamari-b/links/events/{joint.pk}/"' in page
    assert "三ツ葉商事 アルムナイ" in page  # whose event it is
    owner = world.client(world.alumni_a).get("/n/mitsuba-a/events/month/", {"month": month})
    assert f'href="/n/mitsuba-a/events/{joint.pk}/"' in owner.content.decode()
    with scope(network=world.net_a):
        do_revoke_link(world.operator_a, link)
    assert "合同の忘年会" not in calendar()


@pytest.mark.django_db
def test_the_linked_networks_tab_shows_only_while_the_network_has_an_active_link(
    world: World,
) -> None:
    tab = 'href="/n/hidamari-b/links/people/"'
    client = world.client(world.alumni_b)

    def shown() -> bool:
        return tab in client.get("/n/hidamari-b/events/").content.decode()

    assert not shown()  # nowhere to go yet
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    assert shown()
    with scopes_disabled():
        world.net_a.is_active = False
        world.net_a.save()
    assert not shown()
    with scopes_disabled():
        world.net_a.is_active = True
        world.net_a.save()
    assert shown()
    with scope(network=world.net_b):
        do_revoke_link(world.operator_b, link)
    assert not shown()
    # The pages stay where they are for whoever has the address (the record of who saw them).
    assert client.get("/n/hidamari-b/links/people/").status_code == 200
