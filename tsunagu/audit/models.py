"""An append-only record of what operators did with members' data."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Membership, Network


class AuditAction(models.TextChoices):
    VIEW_PRIVATE_FIELDS = "profile.view_private", _("Viewed fields shared only with operators")
    VIEW_ROSTER = "roster.view", _("Viewed the member roster")
    EXPORT_ROSTER = "roster.export", _("Exported the member roster")
    EXPORT_APPLICATIONS = "careers.export", _("Exported the answers to an opportunity")
    IMPORT_ROSTER = "roster.import", _("Imported a roster file")
    EXPORT_REJECTED_ROWS = "roster.export_rejected", _("Downloaded the rows an import rejected")
    INVITE = "invitation.send", _("Sent invitations")
    REVOKE_INVITATION = "invitation.revoke", _("Revoked invitations")
    OFFBOARDING = "invitation.offboarding", _("Received a leaver from the HR system")
    CREATE_LINK = "link.create", _("Created an invitation link")
    REVOKE_LINK = "link.revoke", _("Revoked an invitation link")
    APPROVE = "application.approve", _("Approved an application")
    REJECT = "application.reject", _("Rejected an application")
    CHANGE_ROLE = "member.role", _("Changed a member's role")
    CHANGE_STATUS = "member.status", _("Changed a member's status")
    CHANGE_SETTINGS = "onboarding.settings", _("Changed how people join")
    DO_NOT_INVITE = "invitation.do_not_invite", _("Changed the do-not-invite list")
    GIVE_AWARD = "award.give", _("Gave a yearly award")
    WITHDRAW_AWARD = "award.withdraw", _("Withdrew a yearly award")
    RECORD_OUTCOME = "outcome.record", _("Recorded an outcome")
    CHANGE_OUTCOME = "outcome.change", _("Changed an outcome")
    EXPORT_LEDGER = "outcome.export", _("Exported the outcome ledger")
    EXPORT_INSIGHTS = "insights.export", _("Exported the network's figures")
    EXPORT_SURVEY = "survey.export", _("Exported the answers of a survey")
    PREVIEW_DIGEST = "digest.preview", _("Previewed a member's digest")
    PREVIEW_ANNOUNCEMENT = "announcement.preview", _("Previewed an announcement as a member")
    SEND_ANNOUNCEMENT = "announcement.send", _("Sent an announcement e-mail")
    ANNOUNCEMENT_DELIVERED = "announcement.delivered", _("An announcement e-mail was delivered")
    ANNOUNCEMENT_SETTINGS = "announcement.settings", _("Changed the monthly announcement limit")
    EXPORT_PERSONAL_DATA = "privacy.export", _("A member downloaded their own data")
    ERASE_ACCOUNT = "privacy.erase", _("A member erased their account")
    PUBLISH_POLICY = "policy.publish", _("Published a new privacy policy version")
    LIST_AUDIENCE = "announcement.audience", _("Listed members of an announcement's audience")
    ADMIN_VIEW = "admin.view", _("A site administrator viewed a member's data in the admin")
    ADMIN_LIST = "admin.list", _("A site administrator viewed a list of members in the admin")
    EXPORT_AUDIT = "audit.export", _("Exported the audit log")
    RETENTION = "retention.purge", _("Deleted records past their retention period")
    LINK_REQUEST = "collab.request", _("Asked for a link between networks")
    LINK_ACCEPT = "collab.accept", _("Accepted a link between networks")
    LINK_DECLINE = "collab.decline", _("Declined a link between networks")
    LINK_COUNTER = "collab.counter", _("Proposed other terms for a link between networks")
    LINK_REVOKE = "collab.revoke", _("Ended a link between networks")
    LINK_LAPSE = "collab.lapse", _("A request for a link between networks ended without a link")
    EXPORT_DISCLOSURES = "collab.export", _("Exported the records of data shown to linked networks")
    LINK_NARROW = "collab.narrow", _("Stopped sharing something over a link between networks")
    EXPORT_SHARED_ROOM = "collab.room_export", _("Exported the messages of a shared talk room")
    COHOST_INVITE = "collab.cohost_invite", _("Invited a linked network to co-host an event")
    COHOST_ACCEPT = "collab.cohost_accept", _("Accepted to co-host an event")
    COHOST_DECLINE = "collab.cohost_decline", _("Declined to co-host an event")
    COHOST_END = "collab.cohost_end", _("Ended the co-hosting of an event")


# Actors that are not people: stored in English, shown in the reader's language.
HR_SYSTEM = gettext_noop("HR system (API)")
INVITED_PERSON = gettext_noop("The invited person (from the invitation mail)")
# An erased person, wherever the log named them (privacy: audit/personal_data.py).
ERASED_MEMBER = gettext_noop("former member")
RETENTION_SCHEDULE = gettext_noop("Retention schedule")
SYSTEM_ACTORS = frozenset({HR_SYSTEM, INVITED_PERSON, ERASED_MEMBER, RETENTION_SCHEDULE})


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    """Refuses bulk deletion through ``AuditEntry.objects``.

    The retention schedule (``audit/retention.py``) is the one deletion: it goes through the base
    manager, as deleting a network's cascade does. Updates stay possible for pseudonymising an
    erased person's name.
    """

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are never deleted.")


class AuditEntry(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects: ClassVar[models.Manager[AuditEntry]] = ScopedManager(
        network="network", _manager_class=models.Manager.from_queryset(AppendOnlyQuerySet)
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit entries are never deleted.")

    def actor_label(self) -> str:
        """Who did it: a person's name, or a system's name in the reader's language."""
        if self.actor_name in SYSTEM_ACTORS and (
            self.actor_id is None or self.actor_name == ERASED_MEMBER
        ):
            return gettext(self.actor_name)
        return self.actor_name

    def summary(self) -> str:
        """The particulars as the log page and its export show them after the act."""
        d = self.detail or {}
        parts = []
        if d.get("fields"):
            parts.append(", ".join(str(f) for f in d["fields"]))
        if d.get("rows") is not None:
            parts.append(str(d["rows"]))
        text = self.detail_text()
        if text:
            parts.append(text)
        return " / ".join(parts)

    def detail_text(self) -> str:
        """The entry's particulars in a few words: who, how many, from what to what."""
        from tsunagu.tenancy.models import Role, Status

        labels = {**dict(Role.choices), **dict(Status.choices)}
        d = self.detail or {}
        parts = []
        if "before" in d and "after" in d:
            before, after = labels.get(d["before"], d["before"]), labels.get(d["after"], d["after"])
            parts.append(f"{before} → {after}")
        if "created" in d:
            parts.append(f"+{d['created']} / {d.get('updated', 0)} / ×{d.get('rejected', 0)}")
        for key in ("count", "name", "email", "label", "file", "subject"):
            if d.get(key):
                parts.append(str(d[key]))
        if "audience" in d:
            parts.append(gettext("audience of %(count)s") % {"count": d["audience"]})
        if d.get("model"):
            parts.append(_model_label(d["model"]))
        if "purged" in d:
            purged = d["purged"]
            parts.append(
                gettext(
                    "%(invitations)s invitations, %(notifications)s notifications, "
                    "%(audit)s audit records"
                )
                % {k: purged.get(k, 0) for k in ("invitations", "notifications", "audit")}
            )
        if "sent" in d:
            parts.append(
                gettext("%(sent)s sent, %(skipped)s skipped, %(failed)s failed")
                % {"sent": d["sent"], "skipped": d.get("skipped", 0), "failed": d.get("failed", 0)}
            )
        return ", ".join(parts)


def _model_label(label: str) -> str:
    """A model's name in the reader's language, from its ``app_label.model_name``."""
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def record(
    actor: Membership, action: str, target: Membership | None = None, **detail: Any
) -> AuditEntry:
    return AuditEntry.objects.create(
        network_id=actor.network_id,
        actor_id=actor.user_id,
        actor_name=actor.user.name,
        action=action,
        target=target,
        detail=detail,
    )


def record_system(
    network: Network, actor_name: str, action: str, target: Membership | None = None, **detail: Any
) -> AuditEntry:
    """An entry for something no person did in the site, e.g. a call from the HR system."""
    return AuditEntry.objects.create(
        network=network,
        actor=None,
        actor_name=actor_name,
        action=action,
        target=target,
        detail=detail,
    )


def record_admin(
    network_id: int, user: Any, action: str, target_id: int | None = None, **detail: Any
) -> AuditEntry:
    """An entry for the site administrator, who works in /admin/ without being a member."""
    return AuditEntry.objects.create(
        network_id=network_id,
        actor_id=user.pk,
        actor_name=user.name or user.email,
        action=action,
        target_id=target_id,
        detail=detail,
    )
