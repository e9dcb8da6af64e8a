"""Small builders for the announcements' tests."""

from __future__ import annotations

import uuid
from typing import Any

from django.core import mail
from django.test import Client
from django_scopes import scope, scopes_disabled

from tsunagu.announce.actions import do_save_draft
from tsunagu.announce.models import Announcement
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World


def base(world: World) -> str:
    return f"/n/{world.net_a.slug}/manage/announcements/"


def compose_data(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": str(uuid.uuid4()),
        "subject": "秋の総会のご案内",
        "body": "11月15日に本社で総会を開きます。\n\nぜひご参加ください。",
        "source_url": "",
        "audience": "all",
        "left_from": "",
        "left_to": "",
        "department": "",
    }
    data.update(fields)
    return data


def make_draft(operator: Membership, **fields: Any) -> Announcement:
    data = compose_data(**fields)
    content = {
        **data,
        "left_from": data["left_from"] or None,
        "left_to": data["left_to"] or None,
    }
    with scope(network=operator.network):
        return do_save_draft(operator, uuid.UUID(data["key"]), content)


def send_form(announcement: Announcement) -> dict[str, Any]:
    with scopes_disabled():
        announcement.refresh_from_db()
    return {"key": str(announcement.key), "revision": announcement.revision}


def post_send(client: Client, world: World, announcement: Announcement) -> Any:
    return client.post(f"{base(world)}{announcement.pk}/send/", send_form(announcement))


def mails_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def text_of(message: Any) -> str:
    html = "".join(str(body) for body, _kind in getattr(message, "alternatives", []))
    return f"{message.subject}\n{message.body}\n{html}"


def reload(announcement: Announcement) -> Announcement:
    with scopes_disabled():
        return Announcement.objects.get(pk=announcement.pk)
