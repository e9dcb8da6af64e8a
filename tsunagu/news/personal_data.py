"""News and columns (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule(
        "news.Article",
        owner="author",
        kind="articles",
        export=("kind", "title", "body", "state", "created_at"),
        files=("cover",),
        erase=Erase.TOMBSTONE,
        blank=("title", "body"),
    ),
    Rule(
        "news.Article",
        owner="reviewed_by",
        erase=Erase.KEEP,
        why="the operator who approved an article; the account it names is emptied",
    ),
    Rule(
        "news.Comment",
        owner="author",
        kind="article_comments",
        export=("article_id", "article__title", "body", "created_at"),
        erase=Erase.TOMBSTONE,
        blank=("body",),
    ),
    Rule(
        "news.Reaction",
        owner="member",
        kind="article_stamps",
        export=("article_id", "stamp", "created_at"),
        erase=Erase.DELETE,
    ),
    Rule(
        "news.NewsFeedKey",
        owner="membership",
        erase=Erase.DELETE,
        why="the secret of the member's feed address",
    ),
)
