"""Joining records consent to the current version, with how it was given; a network without
a published policy lets people join as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.consent.models import Consent, HowGiven
from tsunagu.core.testing.factories import make_user
from tsunagu.onboarding.models import Invitation, InviteLink, Source
from tsunagu.tenancy.models import Membership, Status
from tsunagu.testing.world import World

from .helpers import publish

pytestmark = pytest.mark.django_db


def consents_of(world: World, email: str) -> list[tuple[int, str]]:
    with scopes_disabled():
        return [
            (c.version.number, c.how)
            for c in Consent.objects.filter(
                network=world.net_a, membership__user__email=email
            ).order_by("version__number")
        ]


def invitation(world: World, email: str, **extra: object) -> Invitation:
    with scope(network=world.net_a):
        return Invitation.objects.create(
            network=world.net_a, email=email, name="招待 太郎", status="sent", **extra
        )


def test_accepting_an_invitation_asks_for_the_policy_and_records_it(world: World) -> None:
    publish(world.operator_a, purpose="交流のために利用します。")
    invited = invitation(world, "join@example.jp")
    client = world.client(make_user(email="join@example.jp"))
    url = f"/n/{world.net_a.slug}/invitation/{invited.token}/"

    page = client.get(url).content.decode()
    assert "交流のために利用します。" in page and 'name="policy-agree"' in page

    refused = client.post(url, {"policy-policy_version": "1"})
    assert refused.status_code == 400 and "policy-agree_error" in refused.content.decode()
    assert consents_of(world, "join@example.jp") == []

    joined = client.post(url, {"policy-policy_version": "1", "policy-agree": "on"})
    assert joined.status_code == 302
    assert consents_of(world, "join@example.jp") == [(1, HowGiven.JOIN)]
    assert client.get(f"/n/{world.net_a.slug}/events/").status_code == 200  # not gated


def test_a_join_form_shown_before_a_new_version_is_refused(world: World) -> None:
    publish(world.operator_a)
    with scope(network=world.net_a):
        link = InviteLink.objects.create(network=world.net_a, label="LINE")
    client = world.client(make_user(email="late@example.jp"))
    url = f"/n/{world.net_a.slug}/join/{link.token}/"
    publish(world.operator_a, policy="第2版")
    refused = client.post(url, {"policy-policy_version": "1", "policy-agree": "on"})
    text = refused.content.decode()
    assert refused.status_code == 400 and "第2版" in text and "policy-agree_error" in text
    assert consents_of(world, "late@example.jp") == []
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="late@example.jp").exists()

    joined = client.post(url, {"policy-policy_version": "2", "policy-agree": "on"})
    assert joined.status_code == 302
    assert consents_of(world, "late@example.jp") == [(2, HowGiven.JOIN)]


def test_without_a_published_policy_joining_works_as_before(world: World) -> None:
    with scope(network=world.net_a):
        link = InviteLink.objects.create(network=world.net_a, label="LINE")
    client = world.client(make_user(email="plain@example.jp"))
    url = f"/n/{world.net_a.slug}/join/{link.token}/"
    assert 'name="policy-agree"' not in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert consents_of(world, "plain@example.jp") == []


def test_an_application_records_consent_when_it_is_sent(world: World) -> None:
    publish(world.operator_a)
    client = world.client(make_user(email="apply@example.jp"))
    url = f"/n/{world.net_a.slug}/apply/"
    refused = client.post(url, {"declaration": "on"})
    assert refused.status_code == 400 and "policy-agree_error" in refused.content.decode()
    sent = client.post(
        url, {"declaration": "on", "policy-agree": "on", "policy-policy_version": "1"}
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    assert consents_of(world, "apply@example.jp") == [(1, HowGiven.JOIN)]
    with scopes_disabled():
        assert Membership.objects.get(user__email="apply@example.jp").status == Status.PENDING


@pytest.mark.parametrize(
    ("source", "how"),
    [(Source.EXIT_INTERVIEW, HowGiven.EXIT_INTERVIEW), (Source.OFFBOARDING, HowGiven.HR_SYSTEM)],
)
def test_consent_given_before_joining_is_recorded_with_its_time(
    world: World, source: str, how: str
) -> None:
    version = publish(world.operator_a)
    assert version.published_at is not None
    agreed_at = version.published_at + timedelta(minutes=5)
    invited = invitation(world, "leaver@example.jp", source=source, consented_at=agreed_at)
    client = world.client(make_user(email="leaver@example.jp"))
    url = f"/n/{world.net_a.slug}/invitation/{invited.token}/"
    # The leaver agreed to the current version already: no second checkbox.
    assert 'name="policy-agree"' not in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert consents_of(world, "leaver@example.jp") == [(1, how)]
    with scopes_disabled():
        assert Consent.objects.get(membership__user__email="leaver@example.jp").accepted_at == (
            agreed_at
        )


def test_a_leaver_who_agreed_to_an_older_version_accepts_the_current_one(world: World) -> None:
    first = publish(world.operator_a)
    assert first.published_at is not None
    invited = invitation(
        world,
        "older@example.jp",
        source=Source.EXIT_INTERVIEW,
        consented_at=first.published_at,
    )
    publish(world.operator_a, policy="第2版")
    client = world.client(make_user(email="older@example.jp"))
    url = f"/n/{world.net_a.slug}/invitation/{invited.token}/"
    assert client.post(url).status_code == 400
    joined = client.post(url, {"policy-policy_version": "2", "policy-agree": "on"})
    assert joined.status_code == 302
    assert consents_of(world, "older@example.jp") == [
        (1, HowGiven.EXIT_INTERVIEW),
        (2, HowGiven.JOIN),
    ]


def test_the_exit_interview_shows_the_networks_purpose_of_use(world: World) -> None:
    from tsunagu.onboarding.models import ExitCode

    publish(world.operator_a, purpose="退職後のご案内のためにのみ利用します。")
    from django.utils import timezone

    with scope(network=world.net_a):
        code = ExitCode.objects.create(
            network=world.net_a,
            name="山田 太郎",
            left_on=timezone.localdate(),
            expires_at=timezone.now() + ExitCode.VALID,
        )
    page = world.client(None).get(f"/n/{world.net_a.slug}/exit/{code.token}/").content.decode()
    assert "退職後のご案内のためにのみ利用します。" in page
