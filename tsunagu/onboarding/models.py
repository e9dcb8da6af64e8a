"""Who is invited to a network, how, and who asked to join it."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Membership, Network, Role


def new_token() -> str:
    return secrets.token_urlsafe(24)


class WhoMayInvite(models.TextChoices):
    OPERATORS = "operators", _("Only operators")
    MEMBERS_WITH_APPROVAL = "approval", _("Members, with an operator's approval")
    MEMBERS_TRUSTED = "trusted", _("Members, sent at once")


class OnboardingSettings(models.Model):
    """How a network takes people in. One row per network, made on first use."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, primary_key=True, related_name="onboarding"
    )
    who_may_invite = models.CharField(
        _("who may invite people"),
        max_length=16,
        choices=WhoMayInvite.choices,
        default=WhoMayInvite.MEMBERS_WITH_APPROVAL,
    )
    approval_note = models.TextField(
        _("message to approved applicants"),
        blank=True,
        max_length=2000,
        help_text=_("Added to the standard message, in both languages. Leave empty for none."),
    )
    rejection_note = models.TextField(
        _("message to applicants who are not accepted"),
        blank=True,
        max_length=2000,
        help_text=_("Added to the standard message, in both languages. Leave empty for none."),
    )
    # A SHA-256 digest of the HR system's key: the key itself is shown once, when made.
    api_key_digest = models.CharField(max_length=64, blank=True, editable=False)
    api_key_hint = models.CharField(max_length=8, blank=True, editable=False)

    objects: ClassVar[models.Manager[OnboardingSettings]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"onboarding of {self.network_id}"


class ImportBatch(models.Model):
    """One uploaded roster file: mapped, previewed, then imported at once."""

    class State(models.TextChoices):
        MAPPING = "mapping", _("Waiting for the column mapping")
        DONE = "done", _("Imported")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=200)
    file = models.CharField(max_length=200, editable=False)  # name in the private storage
    kind = models.CharField(max_length=8)  # csv or xlsx
    encoding = models.CharField(max_length=16, blank=True)
    headers = models.JSONField(default=list)
    # What the operator chose when the header was not where it was looked for: a sheet of a
    # workbook (0 is the first) and the header's line. Null: found by its words.
    sheet_index = models.PositiveSmallIntegerField(null=True, blank=True)
    header_line = models.PositiveIntegerField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)
    # What checking every row under a mapping found (roster.Summary): the mapping page shows it
    # without reading the file again while the mapping stays the same.
    summary = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.MAPPING)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list)  # [{"line", "reason", "values"}]
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[ImportBatch]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "-created_at"])]

    def __str__(self) -> str:
        return self.filename


class Source(models.TextChoices):
    ROSTER = "roster", _("Roster import")
    MEMBER = "member", _("Invited by a member")
    OFFBOARDING = "offboarding", _("Offboarding (HR system)")
    EXIT_INTERVIEW = "exit", _("Exit interview (QR code)")


class InvitationStatus(models.TextChoices):
    NEW = "new", _("Not invited yet")
    PROPOSED = "proposed", _("Waiting for an operator")
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Sending")
    SENT = "sent", _("Invited")
    FAILED = "failed", _("Delivery failed")
    ACCEPTED = "accepted", pgettext_lazy("invitation status", "Joined")
    REVOKED = "revoked", _("Revoked")
    # On the do-not-invite list (from HR, an operator, or the person): never sent. Operators
    # are not told which of the three.
    BLOCKED = "blocked", _("Cannot be invited")


OPEN_STATUSES = (InvitationStatus.QUEUED, InvitationStatus.SENT, InvitationStatus.FAILED)
SENDABLE_STATUSES = (
    InvitationStatus.NEW,
    InvitationStatus.SENT,
    InvitationStatus.FAILED,
    InvitationStatus.SCHEDULED,
)
INVITATION_VALID_DAYS = 60


class Invitation(models.Model):
    """A person the network wants in, known by e-mail: from the roster, a member or HR."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    name_kana = models.CharField(_("name in kana"), max_length=100, blank=True)
    name_romaji = models.CharField(_("name in romaji"), max_length=100, blank=True)
    department = models.CharField(_("last department"), max_length=100, blank=True)
    title = models.CharField(_("last title"), max_length=100, blank=True)
    joined_on = models.DateField(_("joined the company"), null=True, blank=True)
    left_on = models.DateField(_("left the company"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ALUMNI)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ROSTER)
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.NEW
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    message = models.TextField(_("personal message"), blank=True, max_length=1000)
    invited_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    send_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    # Since when a worker has been sending it: a copy of the task sends nothing.
    sending_since = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # From the HR system: its own id of the leaver, the work address (never written to on or
    # after the leaving date), and when the leaver agreed to be invited.
    external_id = models.CharField(max_length=100, blank=True)
    work_email = models.EmailField(blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Invitation]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "email"], name="one_invitation_per_email")
        ]
        indexes = [
            models.Index(fields=["network", "status"]),
            models.Index(fields=["network", "external_id"]),
            models.Index(fields=["network", "left_on"]),
            models.Index(fields=["status", "send_on"]),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class InviteLink(models.Model):
    """A personal link to share by LINE or in person: one use or many, until a date."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("label"), max_length=100)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ALUMNI)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    max_uses = models.PositiveIntegerField(_("number of uses"), null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[InviteLink]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "-created_at"])]

    def __str__(self) -> str:
        return self.label

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_used_up(self) -> bool:
        return self.max_uses is not None and self.uses >= self.max_uses

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired and not self.is_used_up


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("application status", "Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not accepted")


class Application(models.Model):
    """A request to join, with answers to the network's questions."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=list)  # [{"question", "answer"}]
    declared_eligible = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    note = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Application]] = ScopedManager(network="network")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_application",
            )
        ]
        indexes = [models.Index(fields=["network", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.network_id}"


class PendingJoin(models.Model):
    """The invitation someone opened before they had an account, kept with the account.

    Sign-up is often finished elsewhere: the address is confirmed from a phone's mail app, and
    the person logs in there. The join step they came for is found here, not in the first
    browser's session.
    """

    KEPT = timedelta(days=30)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)  # the invitation or link page, on this site
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[PendingJoin]] = ScopedManager(network="network")

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.path}"


class DoNotInvite(models.Model):
    """An address this network must never invite, kept only as a keyed hash (donotinvite.py):
    the list cannot be read back as addresses, and an erased person's address is not kept."""

    class Source(models.TextChoices):
        HR = "hr", _("The HR system")
        OPERATOR = "operator", _("An operator")
        PERSON = "person", _("The person")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[DoNotInvite]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "digest"], name="do_not_invite_once")
        ]

    def __str__(self) -> str:
        return f"{self.network_id}: {self.digest[:8]}…"


class HookCall(models.Model):
    """A call of the HR hook made with an ``Idempotency-Key``: the same key and body answer the
    stored result again (a retried batch creates nothing twice); the same key with another body
    is refused. Kept for a week."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)  # SHA-256 of method and body
    status = models.PositiveSmallIntegerField(default=0)  # 0 while the first call runs
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[HookCall]] = ScopedManager(network="network")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "key"], name="hook_key_once")]

    def __str__(self) -> str:
        return f"{self.network_id}: {self.key}"


class ExitCode(models.Model):
    """The 「アルムナイ登録QR」 HR shows one leaver at the exit interview (退職面談): on their own
    phone, without an account, the leaver gives a private address and agrees to the purpose of
    use; the invitation goes there on the leaving date. Single use, valid 30 days."""

    VALID = timedelta(days=30)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    left_on = models.DateField(_("leaving date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[models.Manager[ExitCode]] = ScopedManager(network="network")

    class Meta:
        indexes = [models.Index(fields=["network", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.network_id}: {self.name or self.pk}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
