"""The network's news as RSS and Atom for feed readers, behind a personal token."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.news.actions import do_create_article, do_rotate_news_feed
from tsunagu.news.feeds import make_feed_token
from tsunagu.news.models import Article, NewsFeedKey
from tsunagu.notify.tokens import make_token
from tsunagu.tenancy.models import Membership, Status
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def seed(world: World) -> None:
    with scope(network=world.net_a):
        do_create_article(
            world.operator_a,
            kind="company_news",
            title="新オフィスへ移転しました",
            body="**渋谷**に移転しました。",
            tags=["オフィス"],
        )
        do_create_article(
            world.operator_a,
            kind="announcement",
            title="来週公開の予定記事",
            body="まだ秘密",
            published_at=timezone.now() + timedelta(days=7),
        )
        do_create_article(world.alumni_a, kind="column", title="承認待ちのコラム", body="下書き")


def feed_url(world: World, which: str, token: str, slug: str | None = None) -> str:
    return reverse(
        f"news:feed_{which}",
        kwargs={"network_slug": slug or world.net_a.slug, "feed_token": token},
    )


def test_rss_lists_published_articles_only(world: World) -> None:
    seed(world)
    token = make_feed_token(world.alumni_a.user_id, world.net_a.pk)
    response = world.client(None).get(feed_url(world, "rss", token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    channel = root.find("channel")
    assert channel is not None
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["新オフィスへ移転しました"]
    item = channel.find("item")
    assert item is not None
    assert "<strong>渋谷</strong>" in (item.findtext("description") or "")
    with scopes_disabled():
        article = Article.objects.get(title="新オフィスへ移転しました")
    assert item.findtext("link") == f"http://testserver/n/{world.net_a.slug}/news/{article.pk}/"
    assert {c.text for c in item.findall("category")} == {"社内報", "オフィス"}


def test_atom_lists_the_same_articles(world: World) -> None:
    seed(world)
    token = make_feed_token(world.alumni_a.user_id, world.net_a.pk)
    response = world.client(None).get(feed_url(world, "atom", token))
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == ["新オフィスへ移転しました"]


def test_a_token_opens_only_its_own_network_and_only_while_the_member_is_active(
    world: World,
) -> None:
    seed(world)
    anonymous = world.client(None)
    token_a = make_feed_token(world.alumni_a.user_id, world.net_a.pk)
    # A's token under B's address, B's member's token forged for A, another kind of token.
    assert anonymous.get(feed_url(world, "rss", token_a, world.net_b.slug)).status_code == 404
    forged = make_feed_token(world.alumni_b.user_id, world.net_a.pk)
    assert anonymous.get(feed_url(world, "rss", forged)).status_code == 404
    other_kind = make_token(world.alumni_a.user_id, world.net_a.pk, "announcement")
    response = anonymous.get(feed_url(world, "atom", other_kind))
    assert response.status_code == 404
    assert CANARY_A not in response.content.decode()
    assert anonymous.get(feed_url(world, "rss", token_a[:-2] + "xx")).status_code == 404
    with scopes_disabled():
        Membership.objects.filter(pk=world.alumni_a.pk).update(status=Status.LEFT)
    assert anonymous.get(feed_url(world, "rss", token_a)).status_code == 404


def test_members_find_their_feed_addresses_on_the_news_page(world: World) -> None:
    # The token is signed with the second it was made: the page and the test make it in the same.
    with time_machine.travel(timezone.now(), tick=False):
        page = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/news/").content.decode()
        token = make_feed_token(world.alumni_a.user_id, world.net_a.pk)
    assert feed_url(world, "rss", token) in page
    assert feed_url(world, "atom", token) in page


def feed_addresses(client: Client, slug: str) -> list[str]:
    """The RSS and Atom addresses the member's news page shows them."""
    page = client.get(f"/n/{slug}/news/").content.decode()
    return re.findall(rf"/n/{slug}/news/feed/[^/\"]+/(?:rss|atom)\.xml", page)


def test_a_member_renews_their_feed_addresses_and_the_old_ones_stop_working(
    world: World,
) -> None:
    seed(world)
    slug = world.net_a.slug
    anonymous = world.client(None)  # a feed reader has no session
    member = world.client(world.alumni_a)
    old, theirs = feed_addresses(member, slug), feed_addresses(world.client(world.employee_a), slug)
    assert len(old) == 2 and all(anonymous.get(url).status_code == 200 for url in old + theirs)
    assert member.get(f"/n/{slug}/news/feed/renew/").status_code == 405  # a POST only
    response = member.post(f"/n/{slug}/news/feed/renew/")
    assert response.status_code == 302 and response["Location"] == f"/n/{slug}/news/#news-feeds"
    new = feed_addresses(member, slug)
    assert len(new) == 2
    assert [anonymous.get(url).status_code for url in old] == [404, 404]
    for url in new:
        response = anonymous.get(url)
        assert (
            response.status_code == 200 and "新オフィスへ移転しました" in response.content.decode()
        )
    assert all(anonymous.get(url).status_code == 200 for url in theirs)


def test_nobody_else_can_renew_a_members_feed_addresses(world: World) -> None:
    slug = world.net_a.slug
    anonymous = world.client(None)
    addresses = feed_addresses(world.client(world.alumni_a), slug)
    outsider = world.client(world.alumni_b)
    assert outsider.post(f"/n/{slug}/news/feed/renew/").status_code == 302  # to A's about page
    assert outsider.post(f"/n/{world.net_b.slug}/news/feed/renew/").status_code == 302
    assert anonymous.post(f"/n/{slug}/news/feed/renew/").status_code == 302  # to log in
    assert all(anonymous.get(url).status_code == 200 for url in addresses)
    with scopes_disabled():
        assert list(NewsFeedKey.objects.values_list("membership_id", "version")) == [
            (world.alumni_b.pk, 1)
        ]
    with scopes_disabled():
        Membership.objects.filter(pk=world.alumni_a.pk).update(status=Status.SUSPENDED)
        world.alumni_a.refresh_from_db()
    with pytest.raises(PermissionDenied), scope(network=world.net_a):
        do_rotate_news_feed(world.alumni_a)
