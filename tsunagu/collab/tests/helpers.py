"""Linking the two networks of the test world, for this app's tests and others'."""

from __future__ import annotations

from collections.abc import Iterable

from django_scopes import scope, scopes_disabled

from tsunagu.profiles.models import Audience, Profile
from tsunagu.tenancy.models import Membership

from ..actions import ACCEPT, do_answer_link, do_request_link, do_set_opt_in
from ..models import Link


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
