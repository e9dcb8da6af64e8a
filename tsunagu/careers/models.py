"""Opportunities: comeback hiring, career hires, side jobs, outsourcing, referrals, collaboration.

The company (operators and employees) posts real openings; members post theirs too when the
network allows it. People answer in two ways, casual interest or an application, and the poster
and the operators follow each answer through a small set of statuses.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from tsunagu.core.markdown import render_markdown
from tsunagu.core.storage import private_storage
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.models import Membership, Network, Role

TITLE_MAX = 120
DESCRIPTION_MAX = 20_000
COMPENSATION_MAX = 200
MESSAGE_MAX = 4_000
CV_MAX_BYTES = 10 * 1024 * 1024


class Kind(models.TextChoices):
    COMEBACK = "comeback", _("Comeback hiring")
    CAREER = "career", _("Career hire")
    SIDE_JOB = "side_job", _("Side job")
    OUTSOURCING = "outsourcing", _("Outsourcing")
    REFERRAL = "referral", _("Referral request")
    COLLABORATION = "collaboration", _("Speaking and collaboration")


class EmploymentForm(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    CONTRACT = "contract", _("Fixed-term contract")
    PART_TIME = "part_time", _("Part-time")
    FREELANCE = "freelance", _("Freelance or contract work")
    OTHER = "other", _("Other")


class Remote(models.TextChoices):
    ONSITE = "onsite", _("On site")
    HYBRID = "hybrid", _("Partly remote")
    REMOTE = "remote", _("Fully remote")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone in the network")
    ALUMNI = "alumni", _("Alumni only")
    EMPLOYEES = "employees", _("Employees only")
    # The whole network, and the networks linked with it by an active link that shares
    # opportunities (collab): who across may see it is access.partner_networks()'s rule.
    LINKED = "linked", _("This network and linked networks")


class State(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not approved")


# Roles that belong to each audience (operators and the poster always see their own).
AUDIENCE_ROLES: dict[str, tuple[str, ...]] = {
    Audience.ALUMNI: (Role.ALUMNI, Role.SUPPORTER),
    Audience.EMPLOYEES: (Role.EMPLOYEE,),
}


class CareersSettings(models.Model):
    """Whether members (not the company) may post, and whether their postings wait for approval."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    members_may_post = models.BooleanField(
        _("alumni may post opportunities"),
        default=True,
        help_text=_("Operators and employees always may."),
    )
    member_posts_need_approval = models.BooleanField(
        _("alumni's opportunities need an operator's approval"), default=True
    )

    objects: ClassVar[models.Manager[CareersSettings]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"careers settings of {self.network_id}"


class Opportunity(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    poster = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    employment_form = models.CharField(
        _("employment form"), max_length=16, choices=EmploymentForm.choices, blank=True
    )
    description = models.TextField(
        pgettext_lazy("opportunity", "description"),
        max_length=DESCRIPTION_MAX,
        help_text=_("Markdown is supported."),
    )
    description_html = models.TextField(editable=False, blank=True)
    location = models.CharField(
        pgettext_lazy("opportunity", "location"), max_length=100, blank=True
    )
    remote = models.CharField(
        _("remote work"), max_length=8, choices=Remote.choices, default=Remote.HYBRID
    )
    compensation = models.CharField(_("compensation"), max_length=COMPENSATION_MAX, blank=True)
    starts = models.CharField(
        _("start"), max_length=100, blank=True, help_text=_("e.g. April 2027, as soon as possible")
    )
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("Answers close after this day.")
    )
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    external_url = models.URLField(_("external page"), max_length=500, blank=True)
    audience = models.CharField(
        _("who can see it"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PUBLISHED)
    reviewed_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set by the poster, or by the beat task the day after the deadline.
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    answer_count = models.PositiveIntegerField(default=0)
    search_text = models.TextField(editable=False, blank=True, default="")

    objects: ClassVar[models.Manager[Opportunity]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["network", "state", "-published_at"], name="careers_opp_recent"),
            models.Index(fields=["network", "poster", "-created_at"], name="careers_opp_poster"),
            models.Index(
                fields=["deadline"], name="careers_opp_due", condition=Q(closed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.description_html = str(render_markdown(self.description))
        self.search_text = normalize(
            " ".join([self.title, self.location, self.compensation, self.description])
        )[:30000]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "description" in update_fields:
            kwargs["update_fields"] = {*update_fields, "description_html", "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_referral(self) -> bool:
        return self.kind == Kind.REFERRAL

    @property
    def is_closed(self) -> bool:
        if self.closed_at is not None:
            return True
        return self.deadline is not None and self.deadline < timezone.localdate()

    @property
    def is_open(self) -> bool:
        return self.state == State.PUBLISHED and not self.is_closed

    @property
    def is_by_company(self) -> bool:
        return self.poster is not None and self.poster.role in (Role.OPERATOR, Role.EMPLOYEE)


def file_path(instance: Any, filename: str) -> str:
    # The stored name never comes from the uploader.
    return f"careers/{instance.network_id}/{uuid.uuid4().hex}"


class OpportunityFile(models.Model):
    """A PDF or image attached to an opportunity (a job description, a flyer)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=file_path, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    is_image = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[OpportunityFile]] = ScopedManager(network="network")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["network", "opportunity"], name="careers_file_opp")]

    def __str__(self) -> str:
        return self.name


class Mode(models.TextChoices):
    INTEREST = "interest", _("I'd like to hear more first")
    APPLY = "apply", pgettext_lazy("opportunity", "Apply")
    INTRODUCE = "introduce", _("I can introduce someone")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("answer status", "New")
    CONTACT = "contact", _("In contact")
    INTERVIEW = "interview", _("Interviewing")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    DECLINED = "declined", pgettext_lazy("answer status", "Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The pipeline, in order: a status moves forward only, never back.
PIPELINE = (Status.NEW, Status.CONTACT, Status.INTERVIEW, Status.OFFER, Status.HIRED)
FINAL = frozenset({Status.HIRED, Status.DECLINED, Status.WITHDRAWN})


def next_statuses(current: str) -> list[str]:
    """Where the poster may move an answer from ``current``: any later step, or declined.
    Skipping steps forward is allowed on purpose (a hire often happens without a formal
    interview through the site: new → hired); a step back never is. Withdrawing is the
    applicant's own act, never the poster's."""
    if current in FINAL:
        return []
    later = list(PIPELINE[PIPELINE.index(Status(current)) + 1 :])
    return [*later, Status.DECLINED]


def cv_path(instance: Any, filename: str) -> str:
    return f"careers/{instance.network_id}/cv/{uuid.uuid4().hex}.pdf"


class Application(models.Model):
    """One member's answer to one opportunity: interest, an application or an introduction."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="applications"
    )
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    # The applicant's own network: the opportunity's (``network``) or, for an opportunity offered
    # to linked networks, the one they answered from. Empty in answers from before it was kept.
    applicant_network = models.ForeignKey(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=16, choices=Mode.choices)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX, blank=True)
    cv = models.FileField(storage=private_storage, upload_to=cv_path, max_length=200, blank=True)
    cv_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # The day the answer came to an end (hired, declined, withdrawn), and the day of a hire:
    # what the insights count, by kind and date, without the person.
    decided_on = models.DateField(null=True, blank=True)
    hired_on = models.DateField(null=True, blank=True)

    objects: ClassVar[models.Manager[Application]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "member"], name="careers_one_answer_per_member"
            )
        ]
        indexes = [
            models.Index(fields=["network", "member", "-created_at"], name="careers_app_member"),
            models.Index(fields=["network", "hired_on"], name="careers_app_hired"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.opportunity_id}: {self.status}"

    @property
    def is_from_elsewhere(self) -> bool:
        """Sent by a member of a linked network."""
        return self.applicant_network_id not in (None, self.network_id)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def hired_at(self) -> date | None:
        return self.hired_on


class Recruiter(models.Model):
    """An employee the operators mark as a recruiter: they see members' "open to" flags shared
    with recruiters."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Recruiter]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"recruiter {self.membership_id}"


class Flag(models.TextChoices):
    SIDE_JOB = "side_job", _("Open to side jobs")
    OUTSOURCING = "outsourcing", _("Open to outsourcing work")
    COMEBACK = "comeback", _("Considering a comeback")
    SPEAKING = "speaking", _("Open to speaking")


class FlagAudience(models.TextChoices):
    ME = "me", _("Only me")
    OPERATORS = "operators", _("Operators")
    RECRUITERS = "recruiters", _("Operators and recruiters")


# Which flag an opportunity of each kind matches: members who set it hear of new ones.
KIND_FLAG: dict[str, str] = {
    Kind.COMEBACK: Flag.COMEBACK,
    Kind.SIDE_JOB: Flag.SIDE_JOB,
    Kind.OUTSOURCING: Flag.OUTSOURCING,
    Kind.COLLABORATION: Flag.SPEAKING,
}


class OpenTo(models.Model):
    """One "open to" flag a member set on their profile, and who may see it."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    flag = models.CharField(max_length=16, choices=Flag.choices)
    audience = models.CharField(
        max_length=16, choices=FlagAudience.choices, default=FlagAudience.RECRUITERS
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[OpenTo]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "flag"], name="careers_flag_once")
        ]
        indexes = [models.Index(fields=["network", "flag", "audience"], name="careers_flag")]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.flag} ({self.audience})"
