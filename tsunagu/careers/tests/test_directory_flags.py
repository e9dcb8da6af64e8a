"""The "open to" flags in the directory and on the profile page: operators and recruiters filter
by the flags members share with them, with the directory's other filters; nobody else does."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tsunagu.careers.actions import FlagChoice, do_set_flags
from tsunagu.careers.models import Recruiter
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db

SIDE_JOB, COMEBACK, SPEAKING = "副業OK", "カムバック検討中", "登壇OK"


def set_flags(member: Membership, **flags: str | None) -> None:
    with scope(network=member.network):
        do_set_flags(member, [FlagChoice(flag, audience) for flag, audience in flags.items()])


def directory(world: World, reader: Membership, **params: str) -> str:
    return world.client(reader).get(f"/n/{reader.network.slug}/members/", params).content.decode()


def listed(body: str, *members: Membership) -> set[Membership]:
    """Which of ``members`` have a card (or row) among the results."""
    results = body[body.index('id="results"') :]
    return {m for m in members if f'/members/{m.pk}/"' in results}


@pytest.fixture
def recruiter(world: World) -> Membership:
    member = make_member(world.net_a, make_user(name="採用 担当"), role=Role.EMPLOYEE)
    operator = world.client(world.operator_a)
    mark = f"/n/{world.net_a.slug}/careers/manage/recruiters/{member.pk}/"
    assert operator.post(mark, {"on": "1"}).status_code == 302
    return member


def test_operators_and_recruiters_filter_by_the_flags_shared_with_them(
    world: World, recruiter: Membership
) -> None:
    hanako, kenta = world.alumni_a, world.supporter_a
    set_flags(hanako, side_job="recruiters", comeback="operators", speaking="me")
    set_flags(kenta, outsourcing="recruiters")
    everyone = (hanako, kenta, world.employee_a)

    assert listed(directory(world, world.operator_a, open_to="comeback"), *everyone) == {hanako}
    assert listed(directory(world, world.operator_a, open_to="speaking"), *everyone) == set()
    assert listed(directory(world, world.operator_a, open_to="any"), *everyone) == {hanako, kenta}
    # Combined with the directory's own filters and words.
    assert listed(directory(world, world.operator_a, open_to="any", role="alumni"), *everyone) == {
        hanako
    }
    assert listed(directory(world, world.operator_a, open_to="any", q="高橋"), *everyone) == {kenta}
    assert listed(directory(world, recruiter, open_to="side_job"), *everyone) == {hanako}
    # A comeback shared with the operators only is not the recruiter's to see.
    assert listed(directory(world, recruiter, open_to="comeback"), *everyone) == set()
    assert listed(directory(world, recruiter, open_to="any"), *everyone) == {hanako, kenta}
    # Both are offered the filter, and the link beside the title.
    for reader in (world.operator_a, recruiter):
        body = directory(world, reader)
        assert '<select name="open_to">' in body
        assert "?open_to=any" in body
    # Network B's operator finds none of A's members, with or without the filter.
    set_flags(world.alumni_b, comeback="operators")
    b_body = directory(world, world.operator_b, open_to="any")
    assert listed(b_body, *everyone, world.alumni_b) == {world.alumni_b}


def test_members_who_are_neither_get_no_filter_even_through_the_address(
    world: World,
) -> None:
    set_flags(world.alumni_a, side_job="recruiters", comeback="operators")
    plain_employee = make_member(world.net_a, make_user(name="現役 社員"), role=Role.EMPLOYEE)
    for reader in (world.supporter_a, world.employee_a, plain_employee):
        body = directory(world, reader, open_to="comeback")
        assert 'name="open_to"' not in body, reader.role
        assert "?open_to=any" not in body
        # The parameter is ignored: everyone is listed, not only the flagged member.
        assert listed(body, world.alumni_a, world.operator_a) == {world.alumni_a, world.operator_a}
    # The old page of the list sends operators and recruiters to the directory, others away.
    talent = f"/n/{world.net_a.slug}/careers/talent/"
    assert world.client(plain_employee).get(talent).status_code == 403
    assert world.client(world.supporter_a).get(talent).status_code == 403
    moved = world.client(world.operator_a).get(talent + "?flag=comeback")
    assert moved.status_code == 302
    assert moved["Location"] == f"/n/{world.net_a.slug}/members/?open_to=comeback"


def test_a_recruiter_gains_and_loses_the_filter_with_the_operators_mark(world: World) -> None:
    set_flags(world.alumni_a, side_job="recruiters")
    employee = world.employee_a
    assert 'name="open_to"' not in directory(world, employee)  # the membership is cached now
    mark = f"/n/{world.net_a.slug}/careers/manage/recruiters/{employee.pk}/"
    world.client(world.operator_a).post(mark, {"on": "1"})
    body = directory(world, employee, open_to="side_job")
    assert 'name="open_to"' in body
    assert listed(body, world.alumni_a, world.supporter_a) == {world.alumni_a}
    world.client(world.operator_a).post(mark, {"on": "0"})
    body = directory(world, employee, open_to="side_job")
    assert 'name="open_to"' not in body
    assert listed(body, world.alumni_a, world.supporter_a) == {world.alumni_a, world.supporter_a}


def test_a_flag_set_or_hidden_shows_in_the_next_filtered_search(world: World) -> None:
    hanako = world.alumni_a
    assert listed(directory(world, world.operator_a, open_to="comeback"), hanako) == set()
    client = world.client(hanako)
    client.post(f"/n/{world.net_a.slug}/careers/open-to/", {"comeback": "operators"})
    assert listed(directory(world, world.operator_a, open_to="comeback"), hanako) == {hanako}
    client.post(f"/n/{world.net_a.slug}/careers/open-to/", {"comeback": "me"})
    assert listed(directory(world, world.operator_a, open_to="comeback"), hanako) == set()


def test_the_profile_page_shows_the_flags_each_reader_may_see(
    world: World, recruiter: Membership
) -> None:
    hanako = world.alumni_a
    set_flags(hanako, side_job="recruiters", comeback="operators", speaking="me")
    profile = f"/n/{world.net_a.slug}/members/{hanako.pk}/"

    def flags_seen(reader: Membership) -> set[str]:
        body = world.client(reader).get(profile).content.decode()
        if 'id="open-to"' not in body:
            return set()
        section = body[
            body.index('id="open-to"') : body.index("</section>", body.index('id="open-to"'))
        ]
        return {label for label in (SIDE_JOB, COMEBACK, SPEAKING) if label in section}

    assert flags_seen(world.operator_a) == {SIDE_JOB, COMEBACK}
    assert flags_seen(recruiter) == {SIDE_JOB}
    for reader in (world.employee_a, world.supporter_a, make_member(world.net_a)):
        assert flags_seen(reader) == set()
    # Her own page shows all three, with whom each is shown to, and where to change them.
    own = world.client(hanako).get(profile).content.decode()
    assert flags_seen(hanako) == {SIDE_JOB, COMEBACK, SPEAKING}
    assert "自分のみ" in own and "/careers/open-to/" in own


@pytest.mark.parametrize("role", [Role.ALUMNI, Role.SUPPORTER, Role.EMPLOYEE])
def test_plain_readers_read_nothing_of_the_flags(world: World, role: str) -> None:
    """The directory and a profile page cost a reader who is offered no filter nothing more."""
    set_flags(world.alumni_a, side_job="recruiters")
    reader = make_member(world.net_a, make_user(name="一般 会員"), role=role)
    client = world.client(reader)
    pages = [
        f"/n/{world.net_a.slug}/members/",
        f"/n/{world.net_a.slug}/members/?open_to=side_job",
        f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/",
    ]
    for page in pages:
        client.get(page)  # the session and the caches, warmed
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        careers = [q["sql"] for q in queries.captured_queries if "careers_" in q["sql"]]
        assert careers == [], page


def count_queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_a_filtered_directory_costs_the_queries_of_an_unfiltered_one(
    world: World, recruiter: Membership
) -> None:
    set_flags(world.alumni_a, side_job="recruiters")
    client = world.client(recruiter)
    base = f"/n/{world.net_a.slug}/members/"
    client.get(base)
    client.get(base + "?open_to=side_job")
    client.get(base + "?role=alumni")
    with scopes_disabled():
        assert Recruiter.objects.filter(membership=recruiter).exists()
    # A new search each time (results are kept per search): the filter is one more condition.
    set_flags(world.supporter_a, outsourcing="me")  # moves the directory's version on
    filtered = count_queries(client, base + "?open_to=side_job")
    set_flags(world.supporter_a, outsourcing=None)
    unfiltered = count_queries(client, base + "?role=alumni")
    assert filtered == unfiltered


def test_the_filter_holds_when_many_match_and_the_page_reads_a_window(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the counting cap the page tests only the first rows in sort order
    (profiles.queries.within_window()), the flags' condition among them."""
    monkeypatch.setattr("tsunagu.profiles.views.COUNT_CAP", 1)
    set_flags(world.alumni_a, comeback="operators")
    set_flags(world.supporter_a, comeback="operators")
    set_flags(world.employee_a, comeback="me")
    body = directory(world, world.operator_a, open_to="comeback")
    assert listed(body, world.alumni_a, world.supporter_a, world.employee_a) == {
        world.alumni_a,
        world.supporter_a,
    }
