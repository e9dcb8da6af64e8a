"""News and columns: articles by the operators and by members, with comments and stamps."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.core.markdown import render_markdown
from tsunagu.core.storage import private_storage
from tsunagu.core.validators import validate_image_file
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.models import Membership, Network

TITLE_MAX = 120
BODY_MAX = 20_000
COMMENT_MAX = 5_000
TAG_MAX = 30
TAGS_MAX = 5


class Kind(models.TextChoices):
    """What an article is. The first three are the operators' (the office's) own."""

    COMPANY_NEWS = "company_news", _("Company news")
    ANNOUNCEMENT = "announcement", _("Announcement")
    INDUSTRY = "industry", _("Industry information")
    COLUMN = "column", _("Column")
    EVENT_REPORT = "event_report", _("Event report")
    LIFE_STORY = "life_story", _("Life story")


OPERATOR_KINDS = frozenset({Kind.COMPANY_NEWS, Kind.ANNOUNCEMENT, Kind.INDUSTRY})
MEMBER_KINDS = frozenset({Kind.COLUMN, Kind.EVENT_REPORT, Kind.LIFE_STORY})


class State(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not approved")


class NewsSettings(models.Model):
    """How a network runs its news: whether members' articles wait for an operator."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    member_articles_need_approval = models.BooleanField(
        _("members' articles need an operator's approval"), default=True
    )

    objects: ClassVar[models.Manager[NewsSettings]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"news settings of {self.network_id}"


def cover_path(instance: Article, filename: str) -> str:
    # The stored name never comes from the uploader.
    return f"news/{instance.network_id}/{uuid.uuid4().hex}"


class Article(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("body"), max_length=BODY_MAX, help_text=_("Markdown is supported."))
    body_html = models.TextField(editable=False, blank=True)
    cover = models.ImageField(
        _("cover image"),
        upload_to=cover_path,
        storage=private_storage,
        blank=True,
        max_length=200,
        validators=[validate_image_file],
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PUBLISHED)
    # The moment readers see it: an article whose time is still to come stays hidden until then.
    published_at = models.DateTimeField(_("publish at"), default=timezone.now)
    is_pinned = models.BooleanField(_("pinned on the home page"), default=False)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    comment_count = models.PositiveIntegerField(default=0)
    # Title, tags and text, normalised as the directory's (profiles.normalize): for the search box.
    search_text = models.TextField(editable=False, blank=True, default="")

    objects: ClassVar[models.Manager[Article]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["network", "state", "-published_at"], name="news_article_recent"),
            models.Index(fields=["network", "author", "-created_at"], name="news_article_author"),
            models.Index(
                fields=["state", "notified_at", "published_at"],
                name="news_article_due",
                condition=Q(notified_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = str(render_markdown(self.body))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    @property
    def is_by_office(self) -> bool:
        return self.kind in OPERATOR_KINDS

    @property
    def is_visible(self) -> bool:
        return self.state == State.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.state == State.PUBLISHED and self.published_at > timezone.now()

    def index_text(self, tags: list[str]) -> str:
        return normalize(" ".join([self.title, *tags, self.body]))[:30000]


class Tag(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=TAG_MAX)
    normalized = models.CharField(max_length=TAG_MAX)

    objects: ClassVar[models.Manager[Tag]] = ScopedManager(network="network")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "normalized"], name="news_tag_once")
        ]
        indexes = [models.Index(fields=["network", "normalized"], name="news_tag_name")]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX)
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Comment]] = ScopedManager(network="network")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "created_at"], name="news_comment_order")]

    def __str__(self) -> str:
        return self.body[:40]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = str(render_markdown(self.body))
        super().save(*args, **kwargs)


class Reaction(models.Model):
    """One member's stamp on an article (the boards' stamps)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    stamp = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Reaction]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "member", "stamp"], name="news_reaction_once"
            )
        ]

    def __str__(self) -> str:
        return self.stamp


class NewsFeedKey(models.Model):
    """The version of a member's RSS and Atom addresses. The addresses carry it: a new version,
    made when the member asks for new addresses, ends the old ones. No row means version 0."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[NewsFeedKey]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"news feed of {self.membership_id}: version {self.version}"
