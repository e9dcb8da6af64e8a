"""Was X, now Y: a member whose role or status changed sees exactly what a member who always had
the new role sees, on every kind of talk room and every cached or shared page, whichever of the
two readers warmed the caches first.

Each probe is a page and a secret that only some roles may see. The subject reads every probe
with its old role (filling the caches), the role changes, then the subject and a control member
who always had the new role read them again, in both orders; what each of them sees must agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.delivery import note_refusal
from tsunagu.boards.actions import (
    do_add_comment,
    do_create_thread,
    do_moderate_thread,
    do_set_comment_hidden,
)
from tsunagu.boards.models import ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.models import Audience
from tsunagu.events.tests.helpers import make_event
from tsunagu.news.actions import do_create_article
from tsunagu.profiles.models import Profile
from tsunagu.surveys.tests.helpers import make_survey
from tsunagu.talk.actions import do_create_group, do_join_room, do_open_direct, do_open_office
from tsunagu.talk.models import Room, RoomKind
from tsunagu.talk.tests.helpers import make_room, post
from tsunagu.tenancy.actions import do_change_role, do_change_status
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


@dataclass
class Probe:
    name: str
    path: Callable[[Membership], str]  # some rooms are the reader's own (a direct message)
    secret: str


def visible(client: Client, member: Membership, probe: Probe) -> bool:
    response = client.get(probe.path(member))
    return response.status_code == 200 and probe.secret in response.content.decode()


def opens(path: str) -> Probe:
    """A page only some roles may open at all (its secret is the page itself)."""
    return Probe(f"opens {path}", lambda _m: path, "")


def build_probes(world: World, subject: Membership, control: Membership) -> list[Probe]:
    """Content of network A that only some roles may see; made while the subject has its old
    role, so that it takes every place that role gives (a closed room joined as an operator)."""
    a = world.net_a.slug
    probes: list[Probe] = []

    def talk_probe(room: Room, name: str) -> None:
        secret = f"{name}の秘密 {CANARY_A}"
        author = world.alumni_a if room.kind == RoomKind.GROUP else world.operator_a
        post(author, room, secret)
        probes.append(Probe(f"talk {name}", lambda _m: f"/n/{a}/talk/r/{room.pk}/", secret))
        probes.append(Probe(f"talk list {name}", lambda _m: f"/n/{a}/talk/", room.name or secret))
        # The composer's @ list names the room's members (its author among them), in JSON.
        probes.append(
            Probe(
                f"talk mentions {name}",
                lambda _m: f"/n/{a}/talk/r/{room.pk}/mentions/",
                json.dumps(CANARY_A)[1:-1],
            )
        )

    for kind in (RoomKind.OPEN, RoomKind.ANNOUNCEMENT, RoomKind.ALUMNI, RoomKind.EMPLOYEE):
        talk_probe(make_room(world.operator_a, name=f"{kind}ルーム", kind=kind), str(kind))
    closed = make_room(world.operator_a, name="人事面談の調整", kind=RoomKind.CLOSED)
    with scope(network=world.net_a):
        if subject.is_operator:
            do_join_room(subject, closed)  # as an operator
        office = do_open_office(world.alumni_a)
        group = do_create_group(world.alumni_a, name="同期会", invitees=[subject, control])
        dms = {m.pk: do_open_direct(world.alumni_a, m) for m in (subject, control)}
    talk_probe(closed, "closed")
    talk_probe(group, "group")
    secret = f"事務局への相談 {CANARY_A}"
    post(world.alumni_a, office, secret)
    probes.append(Probe("talk office", lambda _m: f"/n/{a}/talk/r/{office.pk}/", secret))
    probes.append(Probe("talk list office", lambda _m: f"/n/{a}/talk/", f"/r/{office.pk}/"))
    secret = f"個別メッセージ {CANARY_A}"
    for room in dms.values():
        post(world.alumni_a, room, secret)
    probes.append(Probe("talk direct", lambda m: f"/n/{a}/talk/r/{dms[m.pk].pk}/", secret))

    # Boards: a hidden comment on a shared thread page, a hidden thread on the shared index.
    category = make_category(world.net_a, "キャリア相談")
    with scope(network=world.net_a):
        thread = do_create_thread(
            world.alumni_a,
            category=category,
            kind=ThreadKind.DISCUSSION,
            title="転職の相談",
            body="よろしくお願いします",
        )
        comment = do_add_comment(world.employee_a, thread, body=f"削除対象の投稿 {CANARY_A}")
        do_set_comment_hidden(world.operator_a, comment, True)
        hidden = do_create_thread(
            world.alumni_a,
            category=category,
            kind=ThreadKind.DISCUSSION,
            title=f"非表示スレッド {CANARY_A}",
            body="本文",
        )
        do_moderate_thread(world.operator_a, hidden, "hide")
    probes.append(
        Probe("thread page", lambda _m: f"/n/{a}/boards/t/{thread.pk}/", "削除対象の投稿")
    )
    probes.append(Probe("board index", lambda _m: f"/n/{a}/boards/", "非表示スレッド"))

    # Events: an employees-only event on the shared list, its page, the home feed.
    event = make_event(world.net_a, title=f"社員限定説明会 {CANARY_A}", audience=Audience.EMPLOYEES)
    probes.append(Probe("event list", lambda _m: f"/n/{a}/events/", "社員限定説明会"))
    probes.append(Probe("event page", lambda _m: f"/n/{a}/events/{event.pk}/", "社員限定説明会"))
    probes.append(Probe("home feed", lambda _m: f"/n/{a}/", "社員限定説明会"))

    # News: an article waiting for approval.
    with scope(network=world.net_a):
        pending = do_create_article(
            world.alumni_a, kind="column", title=f"承認待ちのコラム {CANARY_A}", body="本文"
        )
    probes.append(
        Probe("news article", lambda _m: f"/n/{a}/news/{pending.pk}/", "承認待ちのコラム")
    )

    # Profiles: contact details shared with the operators only.
    email = "naisho-renraku@example.jp"
    with scopes_disabled():
        profile = Profile.objects.get(membership=world.alumni_a)
        profile.contact_email = email
        profile.visibility = {**(profile.visibility or {}), "contact": "operators"}
        profile.save()
    probes.append(Probe("profile", lambda _m: f"/n/{a}/members/{world.alumni_a.pk}/", email))
    probes.append(Probe("roster", lambda _m: f"/n/{a}/manage/roster/", email))
    probes.append(Probe("console", lambda _m: f"/n/{a}/manage/console/", "田中 花子"))
    # The members whose address refuses mail, listed for the office.
    note_refusal(world.employee_a.user.email, "550 5.1.1 User unknown")
    probes.append(
        Probe(
            "unreachable members",
            lambda _m: f"/n/{a}/manage/console/members/?status=undeliverable",
            world.employee_a.user.email,
        )
    )
    probes.append(opens(f"/n/{a}/events/new/"))  # supporters and operators create events
    probes.append(opens(f"/n/{a}/boards/moderation/"))
    probes.append(opens(f"/n/{a}/talk/manage/"))
    # The directory's "open to" filter: operators' and recruiters' only.
    probes.append(Probe("open-to filter", lambda _m: f"/n/{a}/members/", 'name="open_to"'))
    # A survey for employees: its page and the page that opens one's anonymous answers on
    # another device.
    survey = make_survey(world.net_a, title=f"社員アンケート {CANARY_A}", audience="employees")
    probes.append(Probe("survey", lambda _m: f"/n/{a}/surveys/{survey.pk}/", "社員アンケート"))
    probes.append(
        Probe("survey edit link", lambda _m: f"/n/{a}/surveys/{survey.pk}/mine/", "社員アンケート")
    )
    # The apps of opportunities, surveys, insights, the digest, the exit interview and the
    # announcement e-mails: pages of the office (and of supporters where the network allows).
    for page in ("careers/manage/", "surveys/new/", "insights/",
                 "ledger/", "ledger/report/", "supporters/", "digest/preview/",
                 "manage/exit/", "manage/invitations/", "manage/announcements/",
                 "manage/announcements/new/"):  # fmt: skip
        probes.append(opens(f"/n/{a}/{page}"))
    return probes


def newcomer(world: World, role: str, name: str) -> Membership:
    return make_member(world.net_a, make_user(name=name), role=role)


def change(world: World, target: Membership, *, role: str = "", status: str = "") -> None:
    with scope(network=world.net_a):
        target.refresh_from_db()
        if role:
            do_change_role(world.operator_a, target, role)
        if status:
            do_change_status(world.operator_a, target, status)
        target.refresh_from_db()


def seen(world: World, member: Membership, probes: list[Probe]) -> dict[str, bool]:
    client = world.client(member)
    return {probe.name: visible(client, member, probe) for probe in probes}


ROLE_CHANGES = [
    pytest.param(Role.OPERATOR, Role.SUPPORTER, id="operator-to-supporter"),
    pytest.param(Role.SUPPORTER, Role.ALUMNI, id="supporter-to-alumni"),
    pytest.param(Role.OPERATOR, Role.EMPLOYEE, id="operator-to-employee"),
]


@pytest.mark.parametrize(("was", "now"), ROLE_CHANGES)
def test_after_a_role_change_the_member_sees_what_the_new_role_sees(
    world: World, was: str, now: str
) -> None:
    subject = newcomer(world, was, "小林 由美")
    control = newcomer(world, now, "中村 直樹")
    probes = build_probes(world, subject, control)
    before = seen(world, subject, probes)  # fills the caches as the old role
    assert before != seen(world, control, probes), "the probes cannot tell the two roles apart"

    change(world, subject, role=now)
    after = seen(world, subject, probes)
    expected = seen(world, control, probes)
    assert after == expected, {k: (after[k], expected[k]) for k in after if after[k] != expected[k]}
    assert seen(world, subject, probes) == expected  # now the control member warmed them


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPPORTER, Role.ALUMNI])
def test_suspended_then_reinstated_the_member_sees_what_their_role_sees(
    world: World, role: str
) -> None:
    subject = newcomer(world, role, "小林 由美")
    control = newcomer(world, role, "中村 直樹")
    probes = build_probes(world, subject, control)
    seen(world, subject, probes)

    change(world, subject, status=Status.SUSPENDED)
    assert not any(seen(world, subject, probes).values())
    change(world, subject, status=Status.ACTIVE)
    assert seen(world, subject, probes) == seen(world, control, probes)
