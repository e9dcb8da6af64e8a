"""E-mails about news go to the members of the article's network, and only to them."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from tsunagu.news.models import Article
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def test_approval_mails_reach_only_this_networks_operators_and_author(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    base = f"/n/{world.net_a.slug}/news/"
    with django_capture_on_commit_callbacks(execute=True):
        world.client(world.alumni_a).post(
            f"{base}new/", {"kind": "column", "title": f"コラム {CANARY_A}", "body": "本文"}
        )
    assert [m.to for m in mailoutbox] == [[world.operator_a.user.email]]
    assert "承認" in mailoutbox[0].subject + mailoutbox[0].body
    with scopes_disabled():
        article = Article.objects.get()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        world.client(world.operator_a).post(f"{base}{article.pk}/review/", {"decision": "approve"})
    recipients = {address for m in mailoutbox for address in m.to}
    assert recipients == {world.alumni_a.user.email}  # "published" is in-app only by default
    outsiders = {world.operator_b, world.supporter_b, world.alumni_b}
    assert not recipients & {m.user.email for m in outsiders}
