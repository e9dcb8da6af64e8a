"""Links by mutual consent: asking, answering, ending, and what each side is told."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_network
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

from ..actions import ACCEPT, COUNTER, DECLINE, do_answer_link, do_revoke_link
from ..models import REQUEST_DAYS, Link, LinkState
from ..tasks import lapse_requests
from .helpers import link_networks, request_link

pytestmark = pytest.mark.django_db

LINKS_A = "/n/mitsuba-a/links/"
LINKS_B = "/n/hidamari-b/links/"


def actions_in(network: Any) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(network=network, action__startswith="collab.")
            .order_by("id")
            .values_list("action", flat=True)
        )


def links() -> list[Link]:
    with scopes_disabled():
        return list(Link.objects.order_by("id"))


def ask(client: Any, slug: str, scopes: tuple[str, ...] = ("directory", "events")) -> Any:
    return client.post(
        LINKS_A, {"slug": slug, "scopes": list(scopes), "message": "一緒にイベントをしませんか。"}
    )


def test_operator_b_accepts_a_request_and_both_logs_and_both_offices_hear_of_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(world.client(world.operator_a), "hidamari-b")
    assert response.status_code == 302
    [link] = links()
    assert (link.state, link.partner_id, link.scopes) == (
        LinkState.REQUESTED,
        world.net_b.pk,
        ["events", "directory"],
    )
    page = world.client(world.operator_b).get(LINKS_B).content.decode()
    assert "三ツ葉商事 アルムナイ" in page and "一緒にイベントをしませんか。" in page
    with scopes_disabled():
        told_b = Notification.objects.get(network=world.net_b, kind="link_requested")
    assert told_b.recipient_id == world.operator_b.user_id

    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(world.operator_b).post(
            f"{LINKS_B}{link.pk}/answer/", {"decision": "accept"}
        )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.state == LinkState.ACTIVE
    assert actions_in(world.net_a) == [AuditAction.LINK_REQUEST, AuditAction.LINK_ACCEPT]
    assert actions_in(world.net_b) == [AuditAction.LINK_REQUEST, AuditAction.LINK_ACCEPT]
    with scopes_disabled():
        told_a = Notification.objects.filter(network=world.net_a, kind="link_accepted")
        assert [n.recipient_id for n in told_a] == [world.operator_a.user_id]
    # Once answered, the asking side sees the other network's name.
    assert "ひだまり OB・OG会" in world.client(world.operator_a).get(LINKS_A).content.decode()


def test_a_counter_proposal_must_be_accepted_by_the_asking_side(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    link = request_link(world.operator_a, "hidamari-b", ("events", "directory"))
    with scope(network=world.net_b), django_capture_on_commit_callbacks(execute=True):
        link = do_answer_link(world.operator_b, link, COUNTER, ["events"])
    assert (link.state, link.scopes, link.awaiting_id) == (
        LinkState.COUNTERED,
        ["events"],
        world.net_a.pk,
    )
    with scope(network=world.net_b), pytest.raises(ValidationError):
        do_answer_link(world.operator_b, link, ACCEPT)  # its own proposal: not its turn
    with scope(network=world.net_a):
        link = do_answer_link(world.operator_a, link, ACCEPT)
    assert (link.state, link.scopes) == (LinkState.ACTIVE, ["events"])
    assert AuditAction.LINK_COUNTER in actions_in(world.net_a)
    with scopes_disabled():
        assert Notification.objects.filter(network=world.net_a, kind="link_countered").exists()


def test_either_side_ends_a_link_and_accepting_it_afterwards_is_refused_clearly(
    world: World,
) -> None:
    link = link_networks(world.operator_a, world.operator_b)
    response = world.client(world.operator_b).post(f"{LINKS_B}{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.state, link.ended_by_id) == (LinkState.REVOKED, world.net_b.pk)
    assert AuditAction.LINK_REVOKE in actions_in(world.net_b)

    response = world.client(world.operator_a).post(
        f"{LINKS_A}{link.pk}/answer/", {"decision": "accept"}
    )
    assert response.status_code == 409
    assert "このリンクは終了しています" in response.content.decode() or (
        "This link was ended" in response.content.decode()
    )
    link.refresh_from_db()
    assert link.state == LinkState.REVOKED


def test_declining_ends_the_request_for_b_and_for_a_at_the_lapse(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    link = request_link(world.operator_a, "hidamari-b")
    with scope(network=world.net_b), django_capture_on_commit_callbacks(execute=True):
        do_answer_link(world.operator_b, link, DECLINE)
    link.refresh_from_db()
    assert link.state == LinkState.DECLINED
    assert "お断り" in world.client(world.operator_b).get(LINKS_B).content.decode()
    with scope(network=world.net_b), pytest.raises(ValidationError):
        do_answer_link(world.operator_b, link, ACCEPT)
    # A is not told yet: its request waits, and asking again is refused as while it waits.
    assert actions_in(world.net_a) == [AuditAction.LINK_REQUEST]
    assert ask(world.client(world.operator_a), "hidamari-b").status_code == 400
    # After the lapse, A may ask again.
    with time_machine.travel(timezone.now() + timedelta(days=REQUEST_DAYS, hours=1)):
        again = request_link(world.operator_a, "hidamari-b")
    assert again.pk != link.pk and again.state == LinkState.REQUESTED


def test_the_asked_side_declines_a_first_request_it_cannot_end_it(world: World) -> None:
    link = request_link(world.operator_a, "hidamari-b")
    page = world.client(world.operator_b).get(LINKS_B).content.decode()
    assert "承認しない" in page and "取り消す" not in page
    response = world.client(world.operator_b).post(f"{LINKS_B}{link.pk}/revoke/")
    assert response.status_code == 409
    link.refresh_from_db()
    assert link.state == LinkState.REQUESTED


def lapse(when: Any, django_capture_on_commit_callbacks: Any) -> None:
    with (
        time_machine.travel(when),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lapse_requests()


def test_a_decline_and_an_address_of_no_network_end_alike_for_the_asking_side(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """What the asking side sees, is told and can do is the same for a network that declines as
    for an address nobody answers: both wait, then both end as "not concluded" on the same day."""
    client = world.client(world.operator_a)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "no-such-network")
        ask(client, "hidamari-b")
    declined = links()[1]
    with scope(network=world.net_b), django_capture_on_commit_callbacks(execute=True):
        do_answer_link(world.operator_b, declined, DECLINE)

    def rows() -> list[str]:
        page = client.get(LINKS_A).content.decode()
        parts = [p.split("</section>")[0] for p in page.split('data-link="')[1:]]
        # Each row without the address typed and the row's id.
        return [re.sub(r"\d+", "N", re.sub("no-such-network|hidamari-b", "", p)) for p in parts]

    def told() -> list[tuple[str, str]]:
        with scopes_disabled():
            return list(
                Notification.objects.filter(network=world.net_a)
                .order_by("id")
                .values_list("kind", "params__network")
            )

    waiting, ghost = rows()
    assert waiting == ghost and 'data-state="requested"' in waiting
    assert "お断り" not in waiting and "data-expires" in waiting and "取り消す" in waiting
    assert actions_in(world.net_a) == [AuditAction.LINK_REQUEST] * 2
    assert told() == []
    # Asking again is refused alike.
    for slug in ("no-such-network", "hidamari-b"):
        assert ask(client, slug, ("events",)).status_code == 400
    # A day before the lapse nothing changes; after it both end alike, and A is told of both.
    now = timezone.now()
    lapse(now + timedelta(days=REQUEST_DAYS - 1), django_capture_on_commit_callbacks)
    assert told() == []
    lapse(now + timedelta(days=REQUEST_DAYS, hours=1), django_capture_on_commit_callbacks)
    ended, ghost_ended = rows()
    assert ended == ghost_ended and 'data-state="lapsed"' in ended and "成立せず" in ended
    assert "取り消す" not in ended
    assert sorted(told()) == [
        ("link_lapsed", "hidamari-b"),
        ("link_lapsed", "no-such-network"),
    ]
    assert actions_in(world.net_a) == [AuditAction.LINK_REQUEST] * 2 + [AuditAction.LINK_LAPSE] * 2
    # The network that declined keeps its decline; it is told nothing more.
    assert actions_in(world.net_b) == [AuditAction.LINK_REQUEST, AuditAction.LINK_DECLINE]


def test_a_request_nobody_answers_lapses_and_can_no_longer_be_accepted(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    link = request_link(world.operator_a, "hidamari-b")
    later = timezone.now() + timedelta(days=REQUEST_DAYS, hours=1)
    # Not yet swept by the hourly task: still refused.
    with (
        time_machine.travel(later),
        scope(network=world.net_b),
        pytest.raises(ValidationError),
    ):
        do_answer_link(world.operator_b, link, ACCEPT)
    lapse(later, django_capture_on_commit_callbacks)
    link.refresh_from_db()
    assert link.state == LinkState.LAPSED
    assert AuditAction.LINK_LAPSE in actions_in(world.net_b)
    page = world.client(world.operator_b).get(LINKS_B).content.decode()
    assert "成立せず" in page and "承諾する" not in page


def test_linking_to_ones_own_network_is_a_field_error(world: World) -> None:
    response = ask(world.client(world.operator_a), "mitsuba-a")
    assert response.status_code == 400
    assert 'id="id_slug"' in response.content.decode()
    assert links() == []
    assert "field--error" in response.content.decode()


def test_a_second_request_while_one_waits_is_a_field_error_and_creates_nothing(
    world: World,
) -> None:
    client = world.client(world.operator_a)
    ask(client, "hidamari-b", ("directory",))
    response = ask(client, "hidamari-b", ("events",))
    assert response.status_code == 400
    assert len(links()) == 1
    # The other side asking back while A's request waits: told to answer instead.
    response = world.client(world.operator_b).post(
        LINKS_B, {"slug": "mitsuba-a", "scopes": ["events"], "message": ""}
    )
    assert response.status_code == 400
    assert len(links()) == 1


def test_a_double_click_makes_one_request(world: World) -> None:
    client = world.client(world.operator_a)
    first = ask(client, "hidamari-b")
    second = ask(client, "hidamari-b")
    assert (first.status_code, second.status_code) == (302, 302)
    assert len(links()) == 1
    assert actions_in(world.net_a) == [AuditAction.LINK_REQUEST]


@pytest.mark.parametrize("slug", ["no-such-network", "sleeping-net"])
def test_asking_for_an_unknown_or_inactive_network_answers_as_for_a_real_one(
    world: World, django_capture_on_commit_callbacks: Any, slug: str
) -> None:
    make_network(slug="sleeping-net", name="休止中のネットワーク", is_active=False)
    client = world.client(world.operator_a)
    with django_capture_on_commit_callbacks() as real_callbacks:
        real = ask(client, "hidamari-b")
    with django_capture_on_commit_callbacks() as ghost_callbacks:
        ghost = ask(client, slug)
    assert (ghost.status_code, ghost["Location"]) == (real.status_code, real["Location"])
    assert len(ghost_callbacks) == len(real_callbacks) == 1  # the same task, queued alike
    for callback in [*real_callbacks, *ghost_callbacks]:
        callback()
    page = client.get(LINKS_A).content.decode()
    real_row = page.split('data-link="')[1]
    ghost_row = page.split('data-link="')[2] if page.count('data-link="') > 1 else ""
    # Both rows read alike: the typed address and "requested", no network's name.
    for row in (real_row, ghost_row):
        assert 'data-state="requested"' in row
    assert "ひだまり OB・OG会" not in page and "休止中のネットワーク" not in page
    # The asking side sees the same messages for both.
    assert client.get(LINKS_A).status_code == 200
    # A second request to the unknown address is refused like one to a real one.
    assert ask(client, slug, ("events",)).status_code == 400
    assert ask(client, "hidamari-b", ("events",)).status_code == 400
    # The inactive network hears nothing.
    with scopes_disabled():
        assert not Notification.objects.exclude(network=world.net_b).exists()


def test_only_operators_manage_links_and_a_demoted_operator_loses_it_at_once(
    world: World,
) -> None:
    for member in (world.alumni_a, world.supporter_a, world.employee_a):
        assert ask(world.client(member), "hidamari-b").status_code == 403
        assert world.client(member).get(LINKS_A).status_code == 403
    assert links() == []
    operator = make_member(world.net_a, role=Role.OPERATOR)
    client = world.client(operator)
    assert client.get(LINKS_A).status_code == 200
    with scopes_disabled():
        operator.role = Role.ALUMNI
        operator.save()
    assert client.get(LINKS_A).status_code == 403


def test_operators_of_a_third_network_get_404_for_a_link_between_two_others(
    world: World,
) -> None:
    link = link_networks(world.operator_a, world.operator_b)
    other = make_network(slug="third-net", name="第三商事 OB会")
    third = make_member(other, role=Role.OPERATOR)
    client = world.client(third)
    assert client.post(f"/n/third-net/links/{link.pk}/revoke/").status_code == 404
    assert (
        client.post(f"/n/third-net/links/{link.pk}/answer/", {"decision": "accept"}).status_code
        == 404
    )
    assert "三ツ葉商事" not in client.get("/n/third-net/links/").content.decode()


def test_bad_answers_get_a_4xx_never_a_500(world: World) -> None:
    link = request_link(world.operator_a, "hidamari-b")
    client = world.client(world.operator_b)
    assert client.post(f"{LINKS_B}{link.pk}/answer/", {"decision": "maybe"}).status_code == 400
    response = client.post(f"{LINKS_B}{link.pk}/answer/", {"decision": "counter"})
    assert response.status_code == 409  # no scopes chosen
    assert client.post(f"{LINKS_B}abc/answer/", {"decision": "accept"}).status_code == 404
    response = world.client(world.operator_a).post(
        LINKS_A, {"slug": "ひだまり", "scopes": ["nonsense"], "message": "x" * 3000}
    )
    assert response.status_code == 400
    with scope(network=world.net_a), pytest.raises(ValidationError):
        do_revoke_link(world.operator_a, link) and do_revoke_link(world.operator_a, link)


def test_asking_an_unknown_address_makes_the_same_statements_as_a_real_one(
    world: World,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..actions import do_request_link

    counts = []
    for slug in ("hidamari-b", "no-such-network"):
        with scope(network=world.net_a), CaptureQueriesContext(connection) as queries:
            do_request_link(world.operator_a, slug=slug, scopes=["events"], message="")
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
