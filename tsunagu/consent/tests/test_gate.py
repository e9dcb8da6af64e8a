"""The re-consent gate: after a new version, a member's next network page is the policy page,
until they accept; then they continue where they were going."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

from .helpers import publish

pytestmark = pytest.mark.django_db


def policy_url(world: World) -> str:
    return f"/n/{world.net_a.slug}/policy/"


def accept(client: Client, world: World, version: int, next_url: str = "") -> object:
    return client.post(policy_url(world), {"version": version, "next": next_url})


def test_a_member_is_sent_to_the_new_policy_and_continues_after_accepting(world: World) -> None:
    client = world.client(world.alumni_a)
    events = f"/n/{world.net_a.slug}/events/"
    assert client.get(events).status_code == 200  # no policy yet: nothing asked

    publish(world.operator_a, purpose="交流と、会社からのお知らせのために利用します。")

    stopped = client.get(events + "?month=2026-04")
    assert stopped.status_code == 302
    assert stopped["Location"].startswith(policy_url(world) + "?next=")
    page = client.get(stopped["Location"]).content.decode()
    assert "会社からのお知らせのために利用します" in page and "data-gate" in page
    assert "data-accept" in page

    # A form sent meanwhile is not written: the member reads the policy first.
    assert client.post(f"/n/{world.net_a.slug}/profile/edit/", {}).status_code == 302

    done = accept(client, world, 1, next_url=events + "?month=2026-04")
    assert done.status_code == 302 and done["Location"] == events + "?month=2026-04"
    assert client.get(events).status_code == 200
    history = client.get(policy_url(world)).content.decode()
    assert "data-accepted" in history and "data-history" in history

    publish(world.operator_a, policy="第2版: 保存期間を明記しました。")
    assert client.get(events).status_code == 302  # every new version asks again
    assert world.client(world.alumni_b).get(f"/n/{world.net_b.slug}/events/").status_code == 200


def test_htmx_json_and_operator_pages_are_stopped_too(world: World) -> None:
    publish(world.operator_a)
    client = world.client(world.operator_a)
    htmx = client.get(f"/n/{world.net_a.slug}/events/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and htmx["HX-Redirect"].startswith(policy_url(world))

    api = client.get(f"/n/{world.net_a.slug}/manage/console/", HTTP_ACCEPT="application/json")
    assert api.status_code == 403 and api.json()["policy_url"] == policy_url(world)
    assert api.json()["error"]

    console = client.get(f"/n/{world.net_a.slug}/manage/console/")
    assert console.status_code == 302 and console["Location"].startswith(policy_url(world))


def test_the_policy_pages_logout_and_account_pages_stay_open(world: World) -> None:
    publish(world.operator_a)
    client = world.client(world.operator_a)
    assert client.get(policy_url(world)).status_code == 200
    assert client.get(f"/n/{world.net_a.slug}/manage/policy/").status_code == 200
    assert client.get(f"/n/{world.net_a.slug}/manage/policy/draft/").status_code == 200
    assert client.get("/accounts/settings/").status_code == 200
    assert client.post("/language/", {"language": "en"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_accepting_an_old_version_is_refused_and_the_current_one_shown(world: World) -> None:
    publish(world.operator_a, policy="第1版の本文")
    client = world.client(world.alumni_a)
    page = client.get(policy_url(world)).content.decode()
    assert 'name="version" value="1"' in page

    publish(world.operator_a, policy="第2版の本文")
    refused = accept(client, world, 1)
    text = refused.content.decode()
    assert refused.status_code == 409
    assert "data-problem" in text and "第2版の本文" in text and 'value="2"' in text
    assert client.get(f"/n/{world.net_a.slug}/events/").status_code == 302

    assert accept(client, world, 2).status_code == 302
    assert client.get(f"/n/{world.net_a.slug}/events/").status_code == 200
    assert accept(client, world, 0).status_code == 409  # junk is refused, not a 500
    assert client.post(policy_url(world), {"version": "x"}).status_code == 409


def test_a_demoted_operator_loses_the_policy_management_at_once(world: World) -> None:
    client = world.client(world.operator_a)
    manage = f"/n/{world.net_a.slug}/manage/policy/"
    assert client.get(manage).status_code == 200
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        do_change_role(world.supporter_a, world.operator_a, Role.ALUMNI)
    assert client.get(manage).status_code == 403
    assert client.get(f"/n/{world.net_a.slug}/manage/policy/draft/").status_code == 403
    assert client.post(f"/n/{world.net_a.slug}/manage/policy/publish/").status_code == 403
