"""Surveys (アンケート): questions, who is asked, and the answers.

Anonymity. In an anonymous survey no stored row lets anyone, the operators or whoever reads the
database, join an answer to the member who gave it:

- ``Participation`` says who answered (to refuse a second response, to remind only the others);
  it has no time, no key of the response and nothing of the member's groups.
- The answers themselves first wait as a ``Pending`` entry, written in the same transaction as
  the participation and holding no member: the answers and the member's groups (role, leaving
  year, department), each folded into "other" when fewer than ``MIN_CELL`` people of the
  audience shared it when the survey opened (``Survey.groups_at_opening``).
- ``batches.write_batch`` turns the pending entries into ``Response`` and ``Answer`` rows and
  moves the counts (``Tally``, ``GroupTally``) only once ``MIN_CELL`` of them wait, or when the
  survey closes: all in one transaction, in shuffled order, under random UUID keys and without
  any time. Every written row of a batch therefore has the same transaction id (PostgreSQL's
  ``xmin``), an order (SQLite's rowid, PostgreSQL's ``ctid``) that says nothing, and counts that
  moved by at least ``MIN_CELL`` people at once. When fewer than ``MIN_CELL`` are left at
  closing, the previous batch is deleted and written again together with them (new keys, the
  same transaction), so no batch holds fewer than ``MIN_CELL`` people unless the whole survey
  does (and then its results are hidden anyway).
- Editing needs no key derived from the member: at the first answer the member gets a random
  edit token, kept in a signed, HttpOnly cookie for the survey's path and shown once as a link
  to keep; only its hash is stored (``edit_key``). An edit replaces the pending entry, or waits
  as a pending replacement that the next batch applies, so no figure ever moves by one person's
  change alone. The groups the member was counted in are stored with the response sealed under
  a key derived from the token (``sealed``): the next edit moves the counts within the same
  groups, and nobody without the token can read them.
- Results, free texts, exports and cross-tabulations read only written rows, so they change
  batch by batch.

What remains, said plainly. The group counts of a group (of at least MIN_CELL asked) of which
only one or a few have answered so far are their answers, to whoever also reads the
participations and the profiles; the pages pool such groups, and at closing the stored counts
are pooled too (``tally.fold_small_groups``), but while the survey is open the database holds
them. Until its batch is written, a pending entry and its participation
were written by the same transaction: whoever reads the database in that window (PostgreSQL's
``xmin``, SQLite's rowid order) can pair them, and so can whoever reads old pages of the
database files later, for the pending row is only marked dead when its batch is written and its
bytes stay until PostgreSQL's vacuum (or SQLite's reuse of the page) overwrites them. The same
holds for a draft, which is kept under the member until the answers are sent. The operators see
none of this through the site: no page, export, API, mail, log line or audit entry shows a
pending entry, a draft of someone else or a time of an anonymous answer.

Named surveys keep the member and the time on the response, and the groups the member was in
when they first answered (for the export and the cross-tabulations).
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
    # Anonymous surveys: per dimension (role, leaving year, department), the groups at least
    # MIN_CELL people of the audience were in when the survey opened; any other group of a
    # respondent is counted as "other" (audience.frequent_groups).
    groups_at_opening = models.JSONField(null=True, blank=True, editable=False)
    # Anonymous surveys: the last batch has been written after closing (batches.write_batch).
    final_batch_written = models.BooleanField(default=False, editable=False)

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
    """That a member has answered: one per member and survey. Carries no time, no link to the
    response and nothing of the member's groups, so that an anonymous response cannot be traced
    back to it."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

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
    # Anonymous surveys: the hash of the member's edit token (keys.edit_key), "" when the
    # response can no longer be edited (answered before edit tokens existed).
    edit_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Anonymous surveys: the groups the answers are counted in, sealed under the edit token.
    sealed = models.TextField(blank=True, default="", editable=False)
    # Anonymous surveys: the batch that wrote the row (batches.write_batch); 0 before batches.
    batch = models.PositiveIntegerField(default=0, editable=False)
    # Named surveys only: who answered, when, and the groups they were in when they first
    # answered. Always empty in an anonymous survey.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    role = models.CharField(max_length=16, blank=True, default="")
    left_year = models.PositiveSmallIntegerField(null=True, blank=True)
    department = models.CharField(max_length=100, blank=True, default="")

    objects: ClassVar[models.Manager[Response]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=models.Q(user__isnull=False),
                name="one_named_response_per_member",
            ),
            models.UniqueConstraint(
                fields=["survey", "edit_key"],
                condition=~models.Q(edit_key=""),
                name="one_response_per_edit_key",
            ),
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
    """Answers in progress, before they are sent: the member's own, deleted when they send them.
    An anonymous response that was sent is changed in one go, without drafts (a draft names the
    member)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)

    objects: ClassVar[models.Manager[Draft]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_draft_per_member")
        ]

    def __str__(self) -> str:
        return f"draft for {self.survey_id}"


class Pending(models.Model):
    """An anonymous response waiting for its batch (batches.write_batch): the answers and the
    groups they count in, never the member; no time, a random key.

    ``payload``: ``answers``, rows of (question, version, choice, is_other, number, date, text);
    ``groups``, the dimension → group the answers count in; ``sealed``, the same groups sealed
    under the edit token, stored with the response. ``replaces``: an edit of a response already
    written (the one with the same ``edit_key``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    edit_key = models.CharField(max_length=64)
    replaces = models.BooleanField(default=False)
    payload = models.JSONField(default=dict)

    objects: ClassVar[models.Manager[Pending]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "edit_key"], name="one_pending_per_edit_key")
        ]

    def __str__(self) -> str:
        return f"pending answers to {self.survey_id}"


class Tally(models.Model):
    """How many answers a question has of one kind: kept up to date as responses are sent and
    changed (actions.do_submit_response, batches.write_batch), so the results read a few rows,
    not every answer.

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
    cross-tabulations read. ``question`` empty and ``key`` ``people``: how many answered.
    Anonymous surveys: moved by whole batches only; ``group`` "" is "other or not known"."""

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
