"""The sections a chunk renders once and shares between its members' mails: each mail is the
one its member would get alone, in their own language and time zone."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope

from tsunagu.core.testing.factories import make_event, make_member, make_user
from tsunagu.core.testing.world import World
from tsunagu.digest.content import build_digest, since_of
from tsunagu.digest.mail import digest_message
from tsunagu.digest.models import Frequency

from .helpers import any_hour, make_article, run_digests, settled

pytestmark = pytest.mark.usefixtures("any_hour", "settled")
__all__ = ["any_hour", "settled"]

TOKEN = re.compile(r"/digest/unsubscribe/[^/]+/")


def test_each_mail_of_a_chunk_is_the_one_its_member_would_get_alone(world: World) -> None:
    starts = timezone.now().replace(hour=3, minute=30, second=0, microsecond=0)
    make_event(world.net_a, title="秋の交流会", starts_at=starts + timedelta(days=3))
    make_article(world.operator_a, "社内報 10月号")
    people = [
        make_member(world.net_a, make_user(name=name, language=language, time_zone=zone))
        for name, language, zone in [
            ("東京 花子", "ja", "Asia/Tokyo"),
            ("Jane Roe", "en", "America/New_York"),
            ("倫敦 太郎", "ja", "Europe/London"),
            ("John Doe", "en", "Asia/Tokyo"),
        ]
    ]
    run_digests(world.net_a)

    sent = {m.to[0]: m for m in mail.outbox}
    texts = []
    with scope(network=world.net_a):
        for member in people:
            member.network = world.net_a
            since = since_of(member, Frequency.MONTHLY, None, timezone.now())
            alone = digest_message(world.net_a, build_digest(member, since), Frequency.MONTHLY)
            shared = sent[member.user.email]
            assert TOKEN.sub("", shared.body) == TOKEN.sub("", alone.body)
            assert TOKEN.sub("", shared.alternatives[0][0]) == TOKEN.sub(
                "", alone.alternatives[0][0]
            )
            texts.append(shared.body)
    tokyo, new_york, london, tokyo_en = texts
    assert "秋の交流会" in tokyo and "秋の交流会" in new_york
    event = starts + timedelta(days=3)
    for text, zone in [
        (tokyo, "Asia/Tokyo"),
        (new_york, "America/New_York"),
        (london, "Europe/London"),
    ]:
        assert event.astimezone(ZoneInfo(zone)).strftime("%H:%M") in text  # one event, three times
    assert "Upcoming events you can join" in new_york and "Upcoming" in tokyo_en
    assert "Upcoming" not in tokyo
