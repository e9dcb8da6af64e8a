"""A member of A who did not opt in, or opted out, never reaches B through a link: not on any page
of B, in B's e-mails and digests, or in B's exports, whatever the link shares.

Every member of A carries the canary in their name (``testing/world.py``). A's alumna opts in,
is seen by B, then opts out; A's employee and supporter never opted in; the alumna and the
employee apply to an event A co-hosts with B. A's operator acts across herself (she opens a
shared room and writes in it, and offers an opportunity to linked networks), so her name may
show there. From then on nothing B's members read may hold the names of the other three."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.http import HttpResponse
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from tsunagu.careers.tests.helpers import make_opportunity
from tsunagu.digest.tests.helpers import any_hour, run_digests, settled, text_of
from tsunagu.events.actions import do_register
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.testing.tests.test_isolation_matrix import MEMBERS, all_routes, classify
from tsunagu.testing.world import CANARY_A, World

from ..models import SCOPE_ORDER
from .helpers import cohost_event, join, link_networks, open_room, opt_in, say, share_across

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_hour", "settled")]
__all__ = ["any_hour", "settled"]

PEOPLE = "/n/hidamari-b/links/people/"


def readable(response: HttpResponse) -> str:
    """What a reader of the answer gets: the text of a page or a CSV, every cell of a workbook."""
    content = b"".join(response) if response.streaming else response.content  # type: ignore[attr-defined]
    if "spreadsheetml" in response.get("Content-Type", ""):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    for codec in ("utf-8-sig", "cp932"):
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            continue
    return content.decode("utf-8", "replace")


def pages_of_b() -> list[str]:
    """Every member page of B that needs no identifier: lists, searches, exports, settings."""
    return sorted(
        route.build({"network_slug": "hidamari-b"})
        for route in all_routes()
        if classify(route.route, route.name) == MEMBERS and route.params == ["network_slug"]
    )


@pytest.fixture
def opted_out(world: World, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        link = link_networks(world.operator_a, world.operator_b, SCOPE_ORDER)
    share_across(world.alumni_a, "current_work", current_employer=f"勤務先 {CANARY_A}")
    opt_in(world.alumni_a, link)
    # While she shares, B sees her: the canary can reach B, so its absence below means something.
    assert CANARY_A in world.client(world.alumni_b).get(PEOPLE).content.decode()
    opt_in(world.alumni_a, link, visible=False)
    return link


def shared_with_b(world: World, link: Any) -> list[str]:
    """What A shares with B over the link, made by A's members who never opted in (every name
    of A carries the canary): a co-hosted event they apply to, a shared room where one of them
    writes, an opportunity offered to linked networks. The pages of B that show them."""
    event = make_event(world.net_a, title="合同の忘年会")
    cohost_event(event, world.operator_a, world.operator_b, link)
    with scope(network=world.net_a):
        do_register(world.alumni_a, event)
        do_register(world.employee_a, event)
    room = open_room(world.operator_a, link, name="合同勉強会")
    say(world.operator_a, room, "三ツ葉の佐藤です。よろしくお願いします。")
    join(world.alumni_b, room)
    offer = make_opportunity(world.operator_a, title="連携先にも募集", audience="linked")
    return [
        f"/n/hidamari-b/links/events/{event.pk}/",
        f"/n/hidamari-b/links/events/{event.pk}/event.ics",
        f"/n/hidamari-b/links/events/{event.pk}/attendees/",
        f"/n/hidamari-b/links/rooms/{room.pk}/",
        f"/n/hidamari-b/links/rooms/{room.pk}/messages.csv",
        f"/n/hidamari-b/careers/{offer.pk}/",
    ]


def test_nothing_b_reads_holds_an_opted_out_member_of_a(
    world: World, opted_out: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Something new in B for its digests, and A busy on its side.
    make_event(world.net_b, title="ひだまりの芋煮会")
    make_event(world.net_a, title=f"三ツ葉の交流会 {CANARY_A}")
    shared = shared_with_b(world, opted_out)
    readers = (world.operator_b, world.supporter_b, world.alumni_b)
    with django_capture_on_commit_callbacks(execute=True):
        run_digests(world.net_b)
    to_b = {m.user.email for m in readers}
    hidden = [m.user.name for m in (world.alumni_a, world.employee_a, world.supporter_a)]

    def leaks(text: str) -> bool:
        return any(name in text for name in hidden)

    failures = [f"mail to {m.to[0]}" for m in mail.outbox if m.to[0] in to_b and leaks(text_of(m))]
    mails = [m for m in mail.outbox if m.to[0] in to_b]
    assert {m.to[0] for m in mails} == to_b  # each of B got a digest
    pages = pages_of_b() + shared
    assert PEOPLE in pages and "/n/hidamari-b/links/disclosures.csv" in pages
    for member in (world.operator_b, world.alumni_b):  # the most and the least a role may see
        client = world.client(member)
        for url in pages:
            response = client.get(url)
            if leaks(readable(response)):
                failures.append(f"{url} as {member.role}")
    with scopes_disabled():
        notes = Notification.objects.filter(network=world.net_b)
        failures += [f"notification {n.kind}" for n in notes if leaks(str(n.params))]
    assert not failures, "\n".join(failures)
