"""The composer filled in from an event or an article ("announce by e-mail" on their edit pages):
the title, a short summary and the link. The operator reads and changes it before saving."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from tsunagu.tenancy.models import Membership

from .models import SUBJECT_MAX, Audience

SUMMARY_CHARS = 300
# An event for alumni or employees only is announced to them by default.
EVENT_AUDIENCE = {"alumni": Audience.ALUMNI, "employees": Audience.EMPLOYEES}


def _summary(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(SUMMARY_CHARS)


def prefill_from(member: Membership, query: Mapping[str, str]) -> dict[str, Any]:
    """Initial values for the composer; 404 for an event or article the operator cannot open
    (another network's, a missing one)."""
    if query.get("event"):
        from tsunagu.events.access import access_event

        event = access_event(member, query["event"])
        event.network = member.network
        return {
            "subject": Truncator(event.title).chars(SUBJECT_MAX),
            "body": render_to_string(
                "announce/prefill_event.txt",
                {"event": event, "summary": _summary(event.description)},
            ).strip(),
            "source_url": settings.SITE_URL + event.get_absolute_url(),
            "audience": EVENT_AUDIENCE.get(event.audience, Audience.ALL),
        }
    if query.get("article"):
        from tsunagu.news.access import access_article

        article = access_article(member, query["article"])
        url = reverse(
            "news:detail", kwargs={"network_slug": member.network.slug, "article_id": article.pk}
        )
        return {
            "subject": Truncator(article.title).chars(SUBJECT_MAX),
            "body": _summary(article.body),
            "source_url": settings.SITE_URL + url,
            "audience": Audience.ALL,
        }
    return {"audience": Audience.ALL}
