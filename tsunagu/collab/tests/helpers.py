"""Linking the two networks of the test world, for this app's tests and others'."""

from __future__ import annotations

from collections.abc import Iterable

from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.events.models import Event
from tsunagu.profiles.models import Audience, Profile
from tsunagu.tenancy.models import Membership, Role

from ..actions import (
    ACCEPT,
    do_answer_link,
    do_create_shared_room,
    do_join_shared_room,
    do_post_shared_message,
    do_request_link,
    do_set_opt_in,
)
from ..directory import linked_people
from ..models import CoHost, Link, SharedMessage, SharedRoom


def request_link(
    asker: Membership, slug: str, scopes: Iterable[str] = ("directory",), message: str = ""
) -> Link:
    with scope(network=asker.network):
        return do_request_link(
            asker, slug=slug, scopes=list(scopes), message=message or "よろしくお願いします。"
        )


def link_networks(
    asker: Membership, answerer: Membership, scopes: Iterable[str] = ("directory",)
) -> Link:
    """An active link between the two operators' networks."""
    link = request_link(asker, answerer.network.slug, scopes)
    with scope(network=answerer.network):
        return do_answer_link(answerer, link, ACCEPT)


def opt_in(member: Membership, link: Link, visible: bool = True) -> None:
    with scope(network=member.network):
        do_set_opt_in(member, link.pk, visible=visible)


def share_across(
    member: Membership, *fields: str, audience: str = Audience.LINKED, **values: str
) -> Profile:
    """The member's profile, with ``fields`` shared with ``audience`` and ``values`` set."""
    with scopes_disabled():
        profile, _new = Profile.objects.get_or_create(
            membership=member, defaults={"network": member.network}
        )
        for name, value in values.items():
            setattr(profile, name, value)
        profile.visibility = {**(profile.visibility or {}), **dict.fromkeys(fields, str(audience))}
        profile.save()
        return profile


def link_with_a_third_network(operator: Membership, member: Membership, secret: str) -> Link:
    """The operator's network linked with a new network (つる会), where ``member`` opted in with
    their work (holding ``secret``) shared and was seen: a disclosure record of their network.
    The link shares rooms too: ``member`` joined its room (named with ``secret``) and wrote."""
    third = make_network(name="つる会")
    third_operator = make_member(third, make_user(name="鶴田 運営"), role=Role.OPERATOR)
    link = link_networks(operator, third_operator, ("directory", "rooms"))
    share_across(member, "current_work", current_employer=f"勤務先 {secret}")
    opt_in(member, link)
    with scope(network=third):
        linked_people(third_operator, None, 50)
    room = open_room(operator, link, f"合同企画 {secret}")
    join(member, room)
    say(member, room, f"よろしくお願いします {secret}")
    return link


def shared_room_of(link: Link) -> SharedRoom:
    with scopes_disabled():
        return SharedRoom.objects.filter(link=link).select_related("link__network").latest("id")


def open_room(operator: Membership, link: Link, name: str = "合同勉強会") -> SharedRoom:
    """A room on ``link`` opened by ``operator`` (who is then in it)."""
    with scope(network=operator.network):
        return do_create_shared_room(operator, link, name=name)


def join(member: Membership, room: SharedRoom) -> None:
    with scope(network=member.network):
        do_join_shared_room(member, room)


def say(member: Membership, room: SharedRoom, body: str) -> SharedMessage:
    with scope(network=member.network):
        return do_post_shared_message(member, room, body)


# The pages of co-hosted events (urls.py), for the isolation matrix.
COHOST_PAGES = tuple(
    f"collab:{name}"
    for name in (
        "cohosts", "cohost_event", "cohost_register", "cohost_ics", "cohost_manage",
        "cohost_answer", "cohost_end", "cohost_attendees",
    )
)  # fmt: skip


def cohost_event(
    event: Event, owner: Membership, partner: Membership, link: Link, quota: int | None = None
) -> CoHost:
    """``partner``'s network co-hosts ``event`` (of ``owner``'s network), invited and accepted."""
    from ..cohosting import do_answer_cohost, do_invite_cohost

    with scope(network=owner.network):
        row = do_invite_cohost(owner, event, link.pk, quota)
    with scope(network=partner.network):
        return do_answer_cohost(partner, row, accept=True)
