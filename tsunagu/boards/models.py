"""Boards: categories, threads (discussions and consultations), comments and what hangs on them."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.boards.files import attachment_path, private_storage
from tsunagu.core.markdown import render_markdown
from tsunagu.tenancy.models import Membership, Network

BODY_MAX = 10_000
TITLE_MAX = 120
COMMENTS_PER_PAGE = 50


class Category(models.Model):
    """A place for threads, set up by the operators; shown in ``position`` order."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Category]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="boards_category_unique_name")
        ]
        indexes = [models.Index(fields=["network", "position"])]

    def __str__(self) -> str:
        return self.name


class ThreadKind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    CONSULTATION = "consultation", _("Consultation")


class Thread(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="threads", verbose_name=_("category")
    )
    kind = models.CharField(
        _("type"), max_length=16, choices=ThreadKind.choices, default=ThreadKind.DISCUSSION
    )
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("body"), max_length=BODY_MAX, help_text=_("Markdown is supported."))
    body_html = models.TextField(editable=False, blank=True)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    is_answered = models.BooleanField(_("answered"), default=False)
    best_answer = models.ForeignKey(
        "Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    # Visible comments, and the number given to the last comment: kept on the row so that lists
    # and the pager never count comments.
    comment_count = models.PositiveIntegerField(default=0)
    comment_seq = models.PositiveIntegerField(default=0)
    # Moves on with every change to the thread, its comments, stamps and files (apps.py):
    # the shared HTML of its comment pages is cached under it.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[models.Manager[Thread]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["network", "is_hidden", "-is_pinned", "-last_activity_at"],
                name="boards_thread_recent",
            ),
            models.Index(
                fields=["network", "category", "-is_pinned", "-last_activity_at"],
                name="boards_thread_category",
            ),
            models.Index(
                fields=["network", "kind", "is_answered", "-created_at"],
                name="boards_thread_unanswered",
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
    def is_consultation(self) -> bool:
        return self.kind == ThreadKind.CONSULTATION

    @property
    def last_page(self) -> int:
        return max(1, -(-self.comment_seq // COMMENTS_PER_PAGE))


class Comment(models.Model):
    """A comment numbered from 1 in its thread: page n holds numbers (n-1)*50+1 … n*50."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Replies go one level deep: a reply to a reply points at the first comment.
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=BODY_MAX)
    body_html = models.TextField(editable=False, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Comment]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["thread", "number"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="boards_comment_number")
        ]
        indexes = [models.Index(fields=["network", "author"], name="boards_comment_author")]

    def __str__(self) -> str:
        return f"#{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = str(render_markdown(self.body))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    @property
    def page(self) -> int:
        return (self.number - 1) // COMMENTS_PER_PAGE + 1


class Stamp(models.TextChoices):
    LIKE = "like", "👍"
    THANKS = "thanks", "🙏"
    CLAP = "clap", "👏"
    IDEA = "idea", "💡"
    SMILE = "smile", "😊"


class Reaction(models.Model):
    """One member's stamp on a thread (comment empty) or on a comment."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    stamp = models.CharField(max_length=16, choices=Stamp.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Reaction]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "member", "stamp"],
                condition=Q(comment__isnull=True),
                name="boards_reaction_thread_once",
            ),
            models.UniqueConstraint(
                fields=["comment", "member", "stamp"],
                condition=Q(comment__isnull=False),
                name="boards_reaction_comment_once",
            ),
        ]
        indexes = [models.Index(fields=["thread", "comment"], name="boards_reaction_target")]

    def __str__(self) -> str:
        return self.stamp


class Subscription(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Subscription]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "member"], name="boards_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.thread_id}"


class Revision(models.Model):
    """The text of a thread or comment as it was before an edit."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    editor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Revision]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["thread", "comment"], name="boards_revision_target")]

    def __str__(self) -> str:
        return f"{self.thread_id}/{self.comment_id or '-'} @ {self.created_at:%Y-%m-%d %H:%M}"


class Report(models.Model):
    """A member's report of a thread or comment, waiting in the operators' moderation queue."""

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        DISMISSED = "dismissed", _("Left as it is")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reporter = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    objects: ClassVar[models.Manager[Report]] = ScopedManager(network="network")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["network", "resolved_at"], name="boards_report_open")]

    def __str__(self) -> str:
        return f"{self.thread_id}/{self.comment_id or '-'}: {self.outcome or 'open'}"


class Poll(models.Model):
    """A quick poll inside a thread: one or several choices, optionally closing at a set time."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.OneToOneField(Thread, on_delete=models.CASCADE, related_name="poll")
    question = models.CharField(_("poll question"), max_length=200)
    multiple = models.BooleanField(_("several answers allowed"), default=False)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    voter_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Poll]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return self.question

    @property
    def is_closed(self) -> bool:
        return self.closes_at is not None and self.closes_at <= timezone.now()


class PollOption(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[PollOption]] = ScopedManager(network="network")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class PollVote(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[PollVote]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "member"], name="boards_vote_once_per_option")
        ]
        indexes = [models.Index(fields=["poll", "member"], name="boards_vote_member")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.option_id}"


class Attachment(models.Model):
    """An image or PDF attached to a thread (comment empty) or to a comment."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    uploader = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    is_image = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Attachment]] = ScopedManager(network="network")

    class Meta:
        indexes = [models.Index(fields=["thread", "comment"], name="boards_attachment_target")]

    def __str__(self) -> str:
        return self.name


class ThreadRead(models.Model):
    """How far a member has read a thread: the highest comment number they were shown."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[ThreadRead]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="boards_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.thread_id} to #{self.last_number}"
