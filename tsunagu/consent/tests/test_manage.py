"""Operators write a draft, preview it, publish it (audited) and see per version how many
active members accepted it."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.consent.actions import do_record_consent
from tsunagu.consent.models import HowGiven, PolicyVersion
from tsunagu.core.testing.factories import make_members
from tsunagu.testing.world import World

from .helpers import publish

pytestmark = pytest.mark.django_db


def test_an_operator_drafts_previews_and_publishes_a_version(world: World) -> None:
    client = world.client(world.operator_a)
    base = f"/n/{world.net_a.slug}/manage/policy/"
    saved = client.post(base + "draft/", {"purpose": "## 利用目的\n交流のため", "policy": "本文"})
    assert saved.status_code == 302
    page = client.get(base + "draft/").content.decode()
    assert "data-preview" in page and "<h2>利用目的</h2>" in page

    # Nothing is asked of members while it is a draft.
    assert world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/events/").status_code == 200

    not_confirmed = client.post(base + "publish/", {})
    assert not_confirmed.status_code == 400 and "id_confirm_error" in not_confirmed.content.decode()
    published = client.post(base + "publish/", {"confirm": "on"})
    assert published.status_code == 302
    assert world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/events/").status_code == 302

    with scope(network=world.net_a):
        version = PolicyVersion.objects.get(network=world.net_a)
        entry = AuditEntry.objects.get(network=world.net_a, action=AuditAction.PUBLISH_POLICY)
    assert version.number == 1 and version.published_by_id == world.operator_a.user_id
    assert entry.detail == {"version": 1} and entry.actor_id == world.operator_a.user_id
    with pytest.raises(ValueError, match="never changed"):
        version.policy = "こっそり変更"
        version.save()

    # The next draft starts from the published text.
    assert "交流のため" in client.get(base + "draft/").content.decode()
    assert client.post(base + "publish/", {"confirm": "on"}).status_code == 400  # no draft


def test_junk_drafts_are_refused_with_field_errors(world: World) -> None:
    client = world.client(world.operator_a)
    refused = client.post(f"/n/{world.net_a.slug}/manage/policy/draft/", {"purpose": ""})
    text = refused.content.decode()
    assert refused.status_code == 400 and "id_purpose_error" in text and "id_policy_error" in text


def test_the_versions_page_counts_acceptances_in_one_query(
    world: World, django_assert_num_queries: object
) -> None:
    crowd = make_members(world.net_a, 30)
    first = publish(world.operator_a)
    second = publish(world.operator_a, policy="第2版")
    with scope(network=world.net_a):
        for member in crowd[:12]:
            do_record_consent(member, first, how=HowGiven.DEMO)
        for member in crowd[:5]:
            do_record_consent(member, second, how=HowGiven.PAGE)
        do_record_consent(world.operator_a, second, how=HowGiven.PAGE)
        with pytest.raises(ValueError, match="another network"):
            do_record_consent(world.operator_b, second, how=HowGiven.PAGE)
    with scopes_disabled():
        world.alumni_a.status = "left"
        world.alumni_a.save()
    with scope(network=world.net_a):
        do_record_consent(world.alumni_a, second, how=HowGiven.PAGE)  # left: not counted

    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/manage/policy/"
    client.get(url)  # warm the session and the caches
    # The session, then the versions with their counts (one query), then the draft.
    with django_assert_num_queries(3):  # type: ignore[operator]
        page = client.get(url).content.decode()
    active = 30 + 3  # the crowd, the operator, the supporter and the employee
    assert 'data-version="2"' in page
    counts = [chunk.split("</td>")[0] for chunk in page.split("data-count>")[1:]]
    assert counts == [f"{active}人中6人", f"{active}人中12人"]
