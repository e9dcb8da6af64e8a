"""Who the composer offers after an @ (talk.js): the room's members, each with the forms of their
name a member may type (kanji, kana, romaji: profiles/names.py, only what they share with every
member) and the circle that stands for them beside their messages."""

from __future__ import annotations

from typing import Any

from tsunagu.core.templatetags.tsunagu import initials
from tsunagu.core.urls_cache import network_link
from tsunagu.profiles.models import Audience
from tsunagu.profiles.names import fold
from tsunagu.profiles.visibility import audience_of
from tsunagu.tenancy.access import filter_active_members
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import shown_member

from .models import Room, RoomMember

AVATAR_HUES = 8  # the colours of the initials' circles (talk.css: .talk-avatar--0 to --7)
MAX_CANDIDATES = 500


def avatar(sender: Membership | None, slug: str) -> dict[str, Any]:
    """The circle beside a message, the same for every reader of a shared page: the sender's
    photo where they share it with all members (never one shared with fewer), else their
    initials on a colour of their own; nothing for a former member (tenancy/names.py).
    Reads ``sender.profile``: select it with the messages."""
    shown = shown_member(sender)
    if shown is None:
        return {"photo": "", "initials": "", "hue": ""}
    profile = getattr(shown, "profile", None)  # a member without a profile has no photo
    photo = ""
    if profile is not None and profile.photo and audience_of(profile, "photo") == Audience.MEMBERS:
        photo = network_link(slug, "profiles:photo", "membership_id", shown.pk)
    return {"photo": photo, "initials": initials(shown.user.name), "hue": shown.pk % AVATAR_HUES}


def mention_of(membership: Membership) -> str:
    """What follows the @ to name the member: their name without its spaces, as
    ``notify.mentions.mentioned_members()`` compares it."""
    return membership.user.name.replace(" ", "").replace("\u3000", "")


def candidates(member: Membership, room: Room, slug: str) -> list[dict[str, Any]]:
    """The room's active members but the one typing, by name. The caller has checked that
    ``member`` reads the room (``access_reader_room``)."""
    places = (
        RoomMember.objects.filter(room=room, member__in=filter_active_members(member.network))
        .exclude(member=member)
        .select_related("member__user", "member__profile")
        .order_by("member__user__name")[:MAX_CANDIDATES]
    )
    found = []
    for place in places:
        person = place.member
        profile = getattr(person, "profile", None)
        keys = profile.name_search if profile is not None and profile.name_search else ""
        found.append(
            {
                "id": person.pk,
                "name": person.user.name,
                "mention": mention_of(person),
                "keys": keys or fold(person.user.name).replace(" ", ""),
                **avatar(person, slug),
            }
        )
    return found
