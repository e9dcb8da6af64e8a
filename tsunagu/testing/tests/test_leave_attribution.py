"""Content of a member who left stays, attributed to 「退会したメンバー」 on every surface that
names people, cached pages included; the name comes back when they rejoin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.boards.actions import do_add_comment, do_create_thread
from tsunagu.boards.models import ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.careers.actions import do_create_opportunity
from tsunagu.careers.models import Opportunity
from tsunagu.careers.models import State as OpportunityState
from tsunagu.events.models import Organiser, Registration
from tsunagu.events.tests.helpers import make_event
from tsunagu.news.actions import do_add_comment as do_comment_article
from tsunagu.news.actions import do_create_article
from tsunagu.news.models import Article, State
from tsunagu.onboarding.actions import do_accept_link, do_create_link
from tsunagu.talk.tests.helpers import default_room, post
from tsunagu.tenancy.actions import do_leave_network
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

NAME = "田中 花子"  # the alumni of network A, who leaves
FORMER = "退会したメンバー"


@dataclass
class Pages:
    paths: dict[str, str]


def write_everywhere(world: World) -> Pages:
    alumni, operator = world.alumni_a, world.operator_a
    with scope(network=world.net_a):
        category = make_category(world.net_a, name="雑談")
        own = do_create_thread(
            alumni, category=category, kind=ThreadKind.DISCUSSION, title="朝活の報告", body="本文"
        )
        other = do_create_thread(
            operator, category=category, kind=ThreadKind.DISCUSSION, title="総会の案内", body="b"
        )
        do_add_comment(alumni, other, body="参加します")
        room = default_room(world.net_a)
        post(alumni, room, "おはようございます")
        column = do_create_article(alumni, kind="column", title="転職して一年", body="コラム")
        Article.objects.filter(pk=column.pk).update(
            state=State.PUBLISHED, published_at=timezone.now() - timedelta(minutes=1)
        )
        news = do_create_article(operator, kind="company_news", title="社内報", body="本文")
        do_comment_article(alumni, news, body="応援します")
        opportunity = do_create_opportunity(
            alumni,
            kind="side_job",
            title="副業の募集",
            description="手伝ってください",
            remote="remote",
            compensation="応相談",
            audience="all",
        )
        Opportunity.objects.filter(pk=opportunity.pk).update(state=OpportunityState.PUBLISHED)
    event = make_event(world.net_a, title="朝活もくもく会")
    with scopes_disabled():
        Organiser.objects.create(network=world.net_a, event=event, membership=alumni)
        Registration.objects.create(
            network=world.net_a, event=event, user=alumni.user, status="confirmed"
        )
    base = "/n/mitsuba-a/"
    return Pages(
        {
            "home feed": base,
            "board index": f"{base}boards/",
            "thread by them": f"{base}boards/t/{own.pk}/",
            "thread they commented": f"{base}boards/t/{other.pk}/",
            "board search": f"{base}boards/search/?q=参加します",
            "talk room": f"{base}talk/r/{room.pk}/",
            "news list": f"{base}news/",
            "their column": f"{base}news/{column.pk}/",
            "article they commented": f"{base}news/{news.pk}/",
            "opportunities": f"{base}careers/",
            "their opportunity": f"{base}careers/{opportunity.pk}/",
            "event page": f"{base}events/{event.pk}/",
        }
    )


def names_on(client: Client, pages: Pages) -> dict[str, tuple[bool, bool]]:
    """Per surface: (the name shows, 「退会したメンバー」 shows)."""
    found = {}
    for surface, path in pages.paths.items():
        response = client.get(path)
        assert response.status_code == 200, surface
        html = response.content.decode()
        found[surface] = (NAME in html, FORMER in html)
    return found


@pytest.mark.django_db
def test_every_surface_names_a_member_who_left_as_a_former_member(world: World) -> None:
    pages = write_everywhere(world)
    reader = world.client(world.employee_a)
    # Each page is read (and its shared parts cached) while the author is a member.
    before = names_on(reader, pages)
    assert {surface for surface, (named, _former) in before.items() if not named} == set()

    room_members = pages.paths["talk room"] + "members/"
    assert NAME in reader.get(room_members).content.decode()

    do_leave_network(world.alumni_a)

    after = names_on(reader, pages)
    assert {surface for surface, (named, _former) in after.items() if named} == set()
    assert {surface for surface, (_named, former) in after.items() if not former} == set()
    assert NAME not in reader.get(room_members).content.decode()  # no longer listed at all


@pytest.mark.django_db
def test_no_link_to_the_profile_of_a_member_who_left(world: World) -> None:
    pages = write_everywhere(world)
    profile = f"/n/mitsuba-a/members/{world.alumni_a.pk}/"
    do_leave_network(world.alumni_a)
    reader = world.client(world.employee_a)
    for surface, path in pages.paths.items():
        assert profile not in reader.get(path).content.decode(), surface
    assert reader.get(profile).status_code == 404


@pytest.mark.django_db
def test_the_name_comes_back_when_the_member_rejoins(world: World) -> None:
    pages = write_everywhere(world)
    reader = world.client(world.employee_a)
    do_leave_network(world.alumni_a)
    names_on(reader, pages)  # cached as a former member's
    with scope(network=world.net_a):
        link = do_create_link(
            world.operator_a,
            label="再招待",
            role=Role.ALUMNI,
            max_uses=1,
            expires_at=timezone.now() + timedelta(days=7),
        )
        do_accept_link(world.alumni_a.user, link)
    again = names_on(reader, pages)
    assert {surface for surface, (named, _former) in again.items() if not named} == set()
