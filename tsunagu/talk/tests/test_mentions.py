"""The composer's @ completion: the room's members, found by kanji, kana and romaji, only for
those who read the room; and the circle beside a message (photo or initials)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.tests.test_images import image_bytes
from tsunagu.notify.models import Notification
from tsunagu.profiles.indexing import reindex
from tsunagu.profiles.models import Profile
from tsunagu.talk.models import RoomKind
from tsunagu.talk.tests.helpers import default_room, make_room, post
from tsunagu.tenancy.models import Membership, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def candidates(world: World, who: Membership, room_id: int, network: Any = None) -> Any:
    slug = (network or world.net_a).slug
    return world.client(who).get(f"/n/{slug}/talk/r/{room_id}/mentions/")


def names(response: Any) -> list[str]:
    assert response.status_code == 200
    return [person["name"] for person in response.json()["members"]]


def set_profile(member: Membership, **fields: Any) -> None:
    with scope(network=member.network):
        profile = Profile.objects.select_related("membership__user").get(membership=member)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
        reindex(profile)


def test_the_room_members_are_offered_with_every_form_of_their_name(world: World) -> None:
    takeda = make_member(world.net_a, make_user(name="武田 裕子"))
    set_profile(takeda, name_kana="タケダ ユウコ")
    room = default_room(world.net_a)
    offered = candidates(world, world.alumni_a, room.pk).json()["members"]
    person = next(p for p in offered if p["name"] == "武田 裕子")
    # What follows the @ is what the server matches (the name without its space).
    assert person["mention"] == "武田裕子"
    keys = person["keys"].split()
    assert "たけだゆうこ" in keys and "takedayuuko" in keys and "takedayuko" in keys
    assert person["initials"] == "武田" and person["photo"] == ""
    # Not the one typing; not someone from another network.
    assert all(p["id"] != world.alumni_a.pk for p in offered)
    assert all(p["id"] != world.alumni_b.pk for p in offered)


def test_a_reading_kept_from_the_members_is_not_offered(world: World) -> None:
    takeda = make_member(world.net_a, make_user(name="武田 裕子"))
    set_profile(takeda, name_kana="タケダ ユウコ", visibility={"name_kana": "me"})
    room = default_room(world.net_a)
    offered = candidates(world, world.alumni_a, room.pk).json()["members"]
    person = next(p for p in offered if p["name"] == "武田 裕子")
    assert "たけだ" not in person["keys"] and "takeda" not in person["keys"]


def test_only_the_rooms_members_and_only_for_its_readers(world: World) -> None:
    closed = make_room(world.operator_a, name="運営会議", kind=RoomKind.CLOSED)
    # The room's members, not the network's.
    assert names(candidates(world, world.operator_a, closed.pk)) == []
    # Who may not read the room learns nothing, as for a room that does not exist.
    assert candidates(world, world.alumni_a, closed.pk).status_code == 404
    room = default_room(world.net_a)
    assert candidates(world, world.alumni_b, room.pk, network=world.net_b).status_code == 404
    assert candidates(world, world.alumni_b, room.pk).status_code in (302, 403, 404)


def test_a_member_who_left_is_no_longer_offered(world: World) -> None:
    room = default_room(world.net_a)
    assert any(n.startswith("鈴木 一郎") for n in names(candidates(world, world.alumni_a, room.pk)))
    with scopes_disabled():
        Membership.objects.filter(pk=world.employee_a.pk).update(status=Status.LEFT)
    assert not any(
        n.startswith("鈴木 一郎") for n in names(candidates(world, world.alumni_a, room.pk))
    )


def test_a_picked_mention_notifies_the_member(world: World) -> None:
    takeda = make_member(world.net_a, make_user(name="武田 裕子"))
    room = default_room(world.net_a)
    offered = candidates(world, world.alumni_a, room.pk).json()["members"]
    mention = next(p["mention"] for p in offered if p["id"] == takeda.pk)
    post(world.alumni_a, room, f"@{mention} 明日の件、よろしくお願いします")
    with scopes_disabled():
        assert Notification.objects.filter(recipient=takeda.user, kind="talk_mention").count() == 1


def test_a_photo_shared_with_the_members_shows_beside_messages_and_no_other(world: World) -> None:
    room = default_room(world.net_a)
    with scope(network=world.net_a):
        profile = Profile.objects.get(membership=world.alumni_a)
        profile.photo.save("face.png", SimpleUploadedFile("face.png", image_bytes()), save=True)
    post(world.alumni_a, room, "写真つきです")
    photo = f"/n/{world.net_a.slug}/members/{world.alumni_a.pk}/photo/"
    page = world.client(world.employee_a).get(f"/n/{world.net_a.slug}/talk/r/{room.pk}/")
    assert photo in page.content.decode()
    set_profile(world.alumni_a, visibility={"photo": "operators"})
    post(world.alumni_a, room, "写真は運営だけに")  # a new message: the page is built again
    for reader in (world.employee_a, world.operator_a):
        html = world.client(reader).get(f"/n/{world.net_a.slug}/talk/r/{room.pk}/").content.decode()
        assert photo not in html
        assert "talk-avatar--" in html and ">田中<" in html  # the initials instead
