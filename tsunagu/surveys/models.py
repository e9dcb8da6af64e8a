"""Surveys (アンケート): questions, who is asked, and the answers.

Anonymity. In an anonymous survey nothing stored beside an answer names the member:

- ``Response`` and ``Answer`` have random UUID keys (no sequence to line up with anything) and no
  time of their own; ``Participation`` (who answered, to refuse a second response and to remind
  only the others) has no time either and no key of the response.
- The member finds their own response again (to edit it until the survey closes) through
  ``Response.owner_key``: an HMAC of the survey and the member under a key derived from the
  server's secret (``keys.owner_key``). Without that secret the key names nobody; the
  server, holding it, recognises the member who asks for their own response and nobody else.
- Drafts (progress kept when a member leaves halfway) are stored under the same key, not under
  the member, and are deleted when the response is sent.
- What the results are broken down by (role, leaving year, department) is not stored on the
  response either, where it would single out the one alumna of 2015 in 人事部: it is kept on
  the participation (which names the member anyway) and counted into ``GroupTally`` rows, so
  the cross-tabulations read aggregates that no response row points to. The results hide
  every figure under ``MIN_CELL`` people, the export waits for ``MIN_CELL`` responses, and the
  cross-tabulations wait for the survey to close (tables that moved with each answer would
  show, from one view to the next, the group of whoever answered in between).

The anonymity is towards the operators, through everything the site shows, sends, writes to
its logs and audits. It is not towards whoever reads the database itself: rows written by the
same answer lie side by side in the order they were written (SQLite's rowid, PostgreSQL's
physical order and transaction ids), and the group counts of a group of one are that
person's answers.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Network

# Figures of an anonymous survey about fewer people than this are not shown.
MIN_CELL = 5
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 4000
OTHER_TEXT_MAX = 200
MAX_CHOICES = 30
MAX_QUESTIONS = 100


class Anonymity(models.TextChoices):
    NAMED = "named", _("Named: operators see who answered what")
    ANONYMOUS = "anonymous", _("Anonymous to operators")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone in the network")
    ALUMNI = "alumni", _("Alumni")
    EMPLOYEES = "employees", _("Employees")
    SEGMENT = "segment", _("Alumni by leaving year and department")
    EVENT = "event", _("Participants of an event")


class Kind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale 1–5")
    NPS = "nps", _("Recommendation 0–10 (NPS)")
    SHORT = "short", _("Short text")
    LONG = "long", _("Long text")
    DATE = "date", _("Date")


CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
NUMBER_KINDS: dict[str, tuple[int, int]] = {Kind.SCALE: (1, 5), Kind.NPS: (0, 10)}
TEXT_KINDS: dict[str, int] = {Kind.SHORT: SHORT_TEXT_MAX, Kind.LONG: LONG_TEXT_MAX}


class Survey(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True, max_length=5000)
    anonymity = models.CharField(
        _("anonymity"), max_length=16, choices=Anonymity.choices, default=Anonymity.NAMED
    )
    audience = models.CharField(
        _("who is asked"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    left_from = models.PositiveSmallIntegerField(
        _("left in or after (year)"), null=True, blank=True
    )
    left_to = models.PositiveSmallIntegerField(_("left in or before (year)"), null=True, blank=True)
    department = models.CharField(_("last department contains"), max_length=100, blank=True)
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    results_for_respondents = models.BooleanField(
        _("show the results to those who answered once it closes"), default=False
    )
    # Drafts are only seen by those who manage the survey; published ones open at opens_at.
    published = models.BooleanField(default=False, editable=False)
    # For an event's feedback survey: the follow-up mail invites, not the survey's own one.
    is_event_feedback = models.BooleanField(default=False, editable=False)
    audience_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves on with every response and every change to the questions: the computed results are
    # cached under it.
    revision = models.PositiveIntegerField(default=0, editable=False)
    # Whether the Tally rows hold every answer (they are kept up to date from then on); only
    # surveys whose answers were written around the actions (a migration) start without.
    tallied = models.BooleanField(default=True, editable=False)

    objects: ClassVar[models.Manager[Survey]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(fields=["network", "-opens_at"]),
            models.Index(fields=["published", "invited_at", "opens_at"]),
            models.Index(fields=["published", "reminded_at", "closes_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_anonymous(self) -> bool:
        return self.anonymity == Anonymity.ANONYMOUS

    @property
    def is_open(self) -> bool:
        return self.published and self.opens_at <= timezone.now() < self.closes_at

    @property
    def is_closed(self) -> bool:
        return self.published and self.closes_at <= timezone.now()

    @property
    def is_upcoming(self) -> bool:
        return self.published and timezone.now() < self.opens_at


class Section(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("section title"), max_length=200)
    description = models.TextField(_("section text"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[models.Manager[Section]] = ScopedManager(network="network")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["network", "survey"])]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("section"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    allow_other = models.BooleanField(_("offer “Other” with a text"), default=False)
    # Moves on when the wording changes after answers came in (see Wording).
    version = models.PositiveSmallIntegerField(default=1, editable=False)

    objects: ClassVar[models.Manager[Question]] = ScopedManager(network="network")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["network", "survey"])]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


class Wording(models.Model):
    """An earlier wording of a question that was changed after people had answered it: its
    text, and its options where those were renamed or added (else empty)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="wordings")
    version = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    choices = models.JSONField(default=list, blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Wording]] = ScopedManager(network="network")

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["question", "version"], name="one_wording_per_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.text}"


class Choice(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[models.Manager[Choice]] = ScopedManager(network="network")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["network", "question"])]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """That a member has answered: one per member and survey. Carries no time and no link to the
    response, so that an anonymous response cannot be traced back to it."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What the member's answers are counted under in the cross-tabulations, as it stood when
    # they first answered (an edit of the answers moves the counts within the same groups).
    role = models.CharField(max_length=16, blank=True)
    left_year = models.PositiveSmallIntegerField(null=True, blank=True)
    department = models.CharField(max_length=100, blank=True)

    objects: ClassVar[models.Manager[Participation]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_participation_per_survey")
        ]
        indexes = [models.Index(fields=["network", "survey"])]

    def __str__(self) -> str:
        return f"{self.user_id} answered {self.survey_id}"


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    owner_key = models.CharField(max_length=64, editable=False)
    # Named surveys only: who answered and when. Always empty in an anonymous survey.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Response]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "owner_key"], name="one_response_per_owner"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) | models.Q(submitted_at__isnull=False),
                name="named_response_has_time",
            ),
        ]
        indexes = [models.Index(fields=["network", "survey"])]

    def __str__(self) -> str:
        return f"response to {self.survey_id}"


class Answer(models.Model):
    """One value of a response: a choice (one row per ticked option), a number, a text or a
    date. An "Other" text is a row with ``is_other`` and no choice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    version = models.PositiveSmallIntegerField(default=1)
    choice = models.ForeignKey(
        Choice, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    is_other = models.BooleanField(default=False)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)

    objects: ClassVar[models.Manager[Answer]] = ScopedManager(network="network")

    class Meta:
        indexes = [
            # Covers the results' one grouped pass over a survey's answers.
            models.Index(
                fields=["survey", "question", "choice", "number", "date", "is_other"],
                name="surveys_answer_tally",
            ),
            # The written answers of a question, in the order of their random keys.
            models.Index(fields=["question", "id"], name="surveys_answer_texts"),
            models.Index(fields=["response"]),
        ]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"


class Draft(models.Model):
    """Answers in progress, kept under the owner key (never under the member)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    owner_key = models.CharField(max_length=64)
    data = models.JSONField(default=dict)

    objects: ClassVar[models.Manager[Draft]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "owner_key"], name="one_draft_per_owner")
        ]

    def __str__(self) -> str:
        return f"draft for {self.survey_id}"


class Tally(models.Model):
    """How many answers a question has of one kind: kept up to date as responses are sent and
    changed (actions.do_submit_response), so the results read a few rows, not every answer.

    ``key``: ``n`` respondents, ``c:<choice id>``, ``o`` "Other", ``v:<number>``,
    ``d:<date>``, ``t`` written answers."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    count = models.IntegerField(default=0)

    objects: ClassVar[models.Manager[Tally]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "question", "key"], name="one_tally_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} {self.key}: {self.count}"


class GroupTally(models.Model):
    """Tally for the respondents of one group (a role, a leaving year, a department): what the
    cross-tabulations read. ``question`` empty and ``key`` ``people``: how many answered."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dimension = models.CharField(max_length=16)
    group = models.CharField(max_length=100, blank=True)
    key = models.CharField(max_length=32)
    count = models.IntegerField(default=0)

    objects: ClassVar[models.Manager[GroupTally]] = ScopedManager(network="network")

    class Meta:
        indexes = [models.Index(fields=["survey", "dimension"])]

    def __str__(self) -> str:
        return f"{self.dimension}={self.group} {self.question_id} {self.key}: {self.count}"
