"""The operators' preview and the digest's line on the e-mail preferences page."""

from __future__ import annotations

import pytest
from django.utils import translation
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.digest.models import Frequency
from tsunagu.digest.prefs import frequency_for
from tsunagu.events.tests.helpers import make_event
from tsunagu.testing.world import CANARY_A, World

from .helpers import settled

pytestmark = pytest.mark.usefixtures("settled")
__all__ = ["settled"]


def preview_url(world: World, query: str = "") -> str:
    return f"/n/{world.net_a.slug}/digest/preview/{query}"


def test_an_operator_previews_a_members_digest_and_it_is_audited(world: World) -> None:
    make_event(world.net_a, title="全員の新年会", audience="all")
    make_event(world.net_a, title="社員限定 事業説明会", audience="employees")
    operator = world.client(world.operator_a)
    console = operator.get(f"/n/{world.net_a.slug}/manage/console/").content.decode()
    assert f'href="{preview_url(world, "")}"' in console  # a tab of the office's pages

    found = operator.get(preview_url(world, "?q=田中"))
    assert found.status_code == 200
    assert f"?member={world.alumni_a.pk}" in found.content.decode()
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action=AuditAction.PREVIEW_DIGEST).exists()

    page = operator.get(preview_url(world, f"?member={world.alumni_a.pk}"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "全員の新年会" in html
    assert "社員限定 事業説明会" not in html  # as the alumnus would receive it
    with scopes_disabled():
        [entry] = AuditEntry.objects.filter(action=AuditAction.PREVIEW_DIGEST)
    assert entry.target_id == world.alumni_a.pk and entry.actor_id == world.operator_a.user_id


@pytest.mark.parametrize("who", ["supporter_a", "employee_a", "alumni_a"])
def test_only_operators_may_preview(world: World, who: str) -> None:
    client = world.client(getattr(world, who))
    answer = client.get(preview_url(world, f"?member={world.operator_a.pk}"))
    assert answer.status_code == 403
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action=AuditAction.PREVIEW_DIGEST).exists()


def test_another_networks_operator_and_member_ids_get_nothing(world: World) -> None:
    make_event(world.net_a, title=f"三ツ葉の交流会 {CANARY_A}")
    answer = world.client(world.operator_b).get(preview_url(world, f"?member={world.alumni_a.pk}"))
    assert answer.status_code in (302, 404) and CANARY_A not in answer.content.decode()
    # A's operator asking for B's member: the same 404 as a missing one.
    own = f"/n/{world.net_a.slug}/digest/preview/?member={world.alumni_b.pk}"
    assert world.client(world.operator_a).get(own).status_code == 404
    assert (
        world.client(world.operator_a).get(own.replace(str(world.alumni_b.pk), "x")).status_code
        == 404
    )
    assert world.client(None).get(preview_url(world)).status_code == 302


def test_the_search_finds_only_this_networks_members(world: World) -> None:
    both = make_member(world.net_b, make_user(name="山本 共通"))
    page = world.client(world.operator_a).get(preview_url(world, "?q=山本"))
    assert f"?member={both.pk}" not in page.content.decode()
    assert "山本 翔太" not in page.content.decode()


def test_a_member_chooses_weekly_on_the_preferences_page(world: World) -> None:
    client = world.client(world.alumni_a)
    url = f"/n/{world.net_a.slug}/notifications/preferences/"
    page = client.get(url).content.decode()
    assert 'name="digest"' in page and 'value="monthly" selected' in page
    client.post(url, {"digest": "weekly", "announcement": "on"})
    with scope(network=world.net_a):
        assert frequency_for(world.alumni_a) == Frequency.WEEKLY
        assert frequency_for(world.employee_a) == Frequency.MONTHLY


def test_a_bad_frequency_shows_an_error_in_japanese_and_saves_nothing(world: World) -> None:
    client = world.client(world.alumni_a)
    url = f"/n/{world.net_a.slug}/notifications/preferences/"
    with translation.override("ja"):
        answer = client.post(url, {"digest": "daily"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "選択肢の中から選んでください（「daily」は選べません）。" in html
    with scope(network=world.net_a):
        assert frequency_for(world.alumni_a) == Frequency.MONTHLY
