"""A member of A who did not opt in, or opted out, never reaches B through a link: not on any page
of B, in B's e-mails and digests, or in B's exports, whatever the link shares.

Every member of A carries the canary in their name (``testing/world.py``). A's alumna opts in,
is seen by B, then opts out; nobody else of A ever opted in. From then on nothing B's members
read may hold the canary."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.http import HttpResponse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from tsunagu.digest.tests.helpers import any_hour, run_digests, settled, text_of
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.models import Notification
from tsunagu.testing.tests.test_isolation_matrix import MEMBERS, all_routes, classify
from tsunagu.testing.world import CANARY_A, World

from ..models import SCOPE_ORDER
from .helpers import link_networks, opt_in, share_across

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


def test_nothing_b_reads_holds_an_opted_out_member_of_a(
    world: World, opted_out: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Something new in B for its digests, and A busy on its side.
    make_event(world.net_b, title="ひだまりの芋煮会")
    make_event(world.net_a, title=f"三ツ葉の交流会 {CANARY_A}")
    readers = (world.operator_b, world.supporter_b, world.alumni_b)
    with django_capture_on_commit_callbacks(execute=True):
        run_digests(world.net_b)
    to_b = {m.user.email for m in readers}
    failures = [
        f"mail to {m.to[0]}" for m in mail.outbox if m.to[0] in to_b and CANARY_A in text_of(m)
    ]
    mails = [m for m in mail.outbox if m.to[0] in to_b]
    assert {m.to[0] for m in mails} == to_b  # each of B got a digest
    pages = pages_of_b()
    assert PEOPLE in pages and "/n/hidamari-b/links/disclosures.csv" in pages
    for member in (world.operator_b, world.alumni_b):  # the most and the least a role may see
        client = world.client(member)
        for url in pages:
            response = client.get(url)
            if CANARY_A in readable(response):
                failures.append(f"{url} as {member.role}")
    with scopes_disabled():
        notes = Notification.objects.filter(network=world.net_b)
        failures += [f"notification {n.kind}" for n in notes if CANARY_A in str(n.params)]
    assert not failures, "\n".join(failures)
