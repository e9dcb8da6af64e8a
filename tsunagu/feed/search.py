"""One search box over threads, comments, news, members and events.

Text is normalised as the directory's (``profiles.normalize``: NFKC, katakana to hiragana, case
folding) and matched by substring, so one or two Japanese characters work. Each kind is searched
through its own app's access rules: the index only names candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django_scopes import scopes_disabled

from tsunagu.boards.access import can_moderate, filter_threads
from tsunagu.boards.models import Comment, Thread
from tsunagu.events.access import filter_events_for
from tsunagu.events.models import Event
from tsunagu.news.access import filter_articles
from tsunagu.news.models import Article
from tsunagu.profiles.directory import first_profiles
from tsunagu.profiles.normalize import normalize, query_terms
from tsunagu.profiles.visibility import MEMBER, ProfileView, view_of
from tsunagu.tenancy.models import Membership

from .models import SearchEntry, SearchKind

QUERY_MAX = 100
SHOWN = 10
TEXT_MAX = 30_000


# --- Keeping the index ---------------------------------------------------------------------------


def text_of(instance: Model) -> tuple[str, str] | None:
    """The kind and normalised text of a searchable object; None for anything else."""
    if isinstance(instance, Thread):
        return SearchKind.THREAD, normalize(f"{instance.title} {instance.body}")
    if isinstance(instance, Comment):
        return SearchKind.COMMENT, normalize(instance.body)
    if isinstance(instance, Event):
        # What every member who sees the event may read; never the private meeting URL.
        return SearchKind.EVENT, normalize(
            " ".join([instance.title, instance.venue, instance.description, instance.notes])
        )
    return None


def index(instance: Model) -> None:
    found = text_of(instance)
    if found is None:
        return
    kind, text = found
    with scopes_disabled():
        SearchEntry.objects.update_or_create(
            kind=kind,
            object_id=instance.pk,
            defaults={"network_id": instance.network_id, "text": text[:TEXT_MAX]},  # type: ignore[attr-defined]
        )


def unindex(instance: Model) -> None:
    found = text_of_kind(instance)
    if found is not None:
        with scopes_disabled():
            SearchEntry.objects.filter(kind=found, object_id=instance.pk).delete()


def text_of_kind(instance: Model) -> str | None:
    for model, kind in (
        (Thread, SearchKind.THREAD),
        (Comment, SearchKind.COMMENT),
        (Event, SearchKind.EVENT),
    ):
        if isinstance(instance, model):
            return kind
    return None


def reindex_network(network_id: int) -> int:
    """Rebuilds the network's entries, e.g. after rows were inserted in bulk without signals."""
    count = 0
    with scopes_disabled():
        SearchEntry.objects.filter(network_id=network_id).delete()
        for model in (Thread, Comment, Event):
            rows = []
            for instance in model.objects.filter(network_id=network_id).iterator():
                found = text_of(instance)
                if found is not None:
                    rows.append(
                        SearchEntry(
                            network_id=network_id,
                            kind=found[0],
                            object_id=instance.pk,
                            text=found[1][:TEXT_MAX],
                        )
                    )
            SearchEntry.objects.bulk_create(rows, batch_size=500)
            count += len(rows)
    return count


# --- Searching -----------------------------------------------------------------------------------


def _matching(member: Membership, kind: str, terms: list[str]) -> QuerySet[SearchEntry, Any]:
    qs = SearchEntry.objects.filter(network_id=member.network_id, kind=kind)
    for term in terms:
        qs = qs.filter(text__contains=term)
    return qs.values("object_id")


@dataclass
class Results:
    query: str
    threads: list[Thread] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    members: list[ProfileView] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(x) for x in (self.threads, self.comments, self.articles, self.members, self.events)
        )


def clean_query(raw: Any) -> str:
    return " ".join(str(raw or "").split())[:QUERY_MAX]


def search(member: Membership, query: str) -> Results:
    """What the member may see that contains every word of the query: newest first, per kind."""
    results = Results(query=query)
    terms = query_terms(query)
    if not terms:
        return results
    threads = filter_threads(member).filter(pk__in=_matching(member, SearchKind.THREAD, terms))
    results.threads = list(
        threads.select_related("category", "author__user")
        .only(
            "network_id",
            "category__name",
            "kind",
            "author__user__name",
            "author__status",
            "title",
            "is_answered",
            "is_hidden",
            "comment_count",
            "last_activity_at",
        )  # fmt: skip
        .order_by("-last_activity_at", "-id")[:SHOWN]
    )
    comments = Comment.objects.filter(
        network_id=member.network_id,
        thread__in=filter_threads(member),
        pk__in=_matching(member, SearchKind.COMMENT, terms),
    )
    if not can_moderate(member):
        comments = comments.filter(is_hidden=False)
    results.comments = list(
        comments.select_related("thread", "author__user")
        .only(
            "network_id",
            "number",
            "body",
            "created_at",
            "thread__title",
            "author__user__name",
            "author__status",
        )
        .order_by("-created_at", "-id")[:SHOWN]
    )
    for comment in results.comments:
        comment.snippet = snippet(comment.body, terms)  # type: ignore[attr-defined]
    articles = filter_articles(member)
    for term in terms:
        articles = articles.filter(search_text__contains=term)
    results.articles = list(
        articles.select_related("author__user")
        .only(
            "network_id",
            "kind",
            "title",
            "state",
            "published_at",
            "author__user__name",
            "author__status",
        )
        .order_by("-published_at", "-id")[:SHOWN]
    )
    events = filter_events_for(member, Event.objects.all()).filter(
        pk__in=_matching(member, SearchKind.EVENT, terms)
    )
    results.events = list(
        events.only("network_id", "title", "starts_at", "venue", "called_off_at").order_by(
            "-starts_at", "-id"
        )[:SHOWN]
    )
    # Members through the directory's own index, which holds only what members share with all.
    results.members = [
        view_of(profile, MEMBER, career=False)
        for profile in first_profiles(member.network_id, query, SHOWN)
    ]
    return results


def snippet(text: str, terms: list[str], width: int = 50) -> str:
    """A piece of ``text`` around the first word found, located in its normalised form."""
    folded = normalize(text)
    # NFKC can change lengths; search in a character-by-character fold to keep positions.
    per_char = "".join(normalize(c)[:1] or " " for c in text)
    at = -1
    for term in terms:
        at = per_char.find(term)
        if at >= 0:
            break
    if at < 0 and any(term in folded for term in terms):
        at = 0
    if at < 0:
        return text[: width * 2]
    start = max(0, at - width)
    end = at + width * 2
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
