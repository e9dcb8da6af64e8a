"""The network's news as RSS and Atom, for feed readers, which cannot log in.

The address carries a token signed with ``SECRET_KEY`` that names the member and the network, as
the events' calendar feeds do (``tokens.py``); it stops working when the member is no longer
active or renews their addresses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from tsunagu.tenancy.models import Membership

from .access import access_news_feed, published_articles
from .models import Article
from .tokens import make_feed_token

__all__ = ["ITEMS", "NewsAtomFeed", "NewsRssFeed", "make_feed_token"]
ITEMS = 30


class NewsRssFeed(Feed):
    feed_type: type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Membership:
        return access_news_feed(request.network, kwargs.get("feed_token", ""))  # type: ignore[attr-defined]

    def title(self, obj: Membership) -> str:
        return _("News of %(network)s") % {"network": obj.network.name}

    def link(self, obj: Membership) -> str:
        # Absolute, from SITE_URL: the syndication framework would otherwise use the Sites table.
        return settings.SITE_URL + reverse("news:list", kwargs={"network_slug": obj.network.slug})

    def description(self, obj: Membership) -> str:
        return obj.network.tagline or obj.network.name

    def items(self, obj: Membership) -> list[Article]:
        articles = list(
            published_articles(obj.network_id)
            .select_related("author__user")
            .prefetch_related("tags")
            .order_by("-published_at", "-id")[:ITEMS]
        )
        for article in articles:
            article.network = obj.network  # loaded once, for every item's link
        return articles

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.body_html

    def item_link(self, item: Article) -> str:
        return settings.SITE_URL + reverse(
            "news:detail",
            kwargs={"network_slug": item.network.slug, "article_id": item.pk},
        )

    def item_guid(self, item: Article) -> str:
        host = settings.SITE_URL.split("://", 1)[-1]
        return f"tag:{host},news:{item.network_id}:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article) -> datetime:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime:
        return item.edited_at or item.published_at

    def item_author_name(self, item: Article) -> str:
        return item.author.user.name if item.author else ""

    def item_categories(self, item: Article) -> list[str]:
        return [str(item.get_kind_display()), *(t.name for t in item.tags.all())]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Membership) -> str:
        return self.description(obj)
