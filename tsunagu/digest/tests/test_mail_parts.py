"""The parts a chunk renders once and shares between its members' mails (the sections, the frame
around them): each mail is the one the templates would write for that member alone, in their
own language and time zone, their name escaped as the template escapes it."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_scopes import scope

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.digest.content import Digest, build_digest, since_of
from tsunagu.digest.mail import digest_context, zone_of
from tsunagu.digest.models import Frequency
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

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
            ('Tom & "Jerry" <b>', "en", "Asia/Tokyo"),
        ]
    ]
    run_digests(world.net_a)

    sent = {m.to[0]: m for m in mail.outbox}
    texts = []
    with scope(network=world.net_a):
        for member in people:
            member.network = world.net_a
            since = since_of(member, Frequency.MONTHLY, None, timezone.now())
            text, html = written_alone(world, member, build_digest(member, since))
            shared = sent[member.user.email]
            assert TOKEN.sub("", shared.body) == TOKEN.sub("", text)
            assert lines(shared.alternatives[0][0]) == lines(html)
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
    assert 'Hello Tom & "Jerry" <b>,' in tokyo_en
    html = sent[people[3].user.email].alternatives[0][0]
    assert "Tom &amp; &quot;Jerry&quot; &lt;b&gt;" in html and "<b>," not in html


def lines(html: str) -> list[str]:
    """The HTML's lines that hold something (the shared sections leave out lines of spaces),
    without the unsubscribe token."""
    return [line for line in TOKEN.sub("", html).splitlines() if line.strip()]


def written_alone(world: World, member: Membership, digest: Digest) -> tuple[str, str]:
    """The mail as the templates write it for one member, section by section through
    digest/_sections.* (the preview's way), without anything shared."""
    context = digest_context(world.net_a, digest, Frequency.MONTHLY)
    with (
        translation.override(member.user.language),
        timezone.override(zone_of(member.user.time_zone)),
    ):
        context["sections_text"] = render_to_string("digest/_sections.txt", context)
        context["sections_html"] = render_to_string("digest/_sections.html", context)
        return (
            render_to_string("digest/email.txt", context),
            render_to_string("digest/email.html", context),
        )
