"""Every write to policies and consents."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import AuditAction, record
from tsunagu.tenancy.cache import forget_membership, forget_network
from tsunagu.tenancy.models import Membership, Network

from .access import check_accept_policy_permission, check_manage_policy_permission
from .models import Consent, HowGiven, PolicyVersion


def current_policy(network: Network) -> PolicyVersion | None:
    """The version members are asked to accept: the newest published one."""
    return (
        PolicyVersion.objects.filter(network=network, number__isnull=False)
        .order_by("-number")
        .first()
    )


def policy_at(network: Network, moment: datetime) -> PolicyVersion | None:
    """The version that was current at a moment: what a leaver read at the exit interview,
    or what the HR system's consent time refers to."""
    return (
        PolicyVersion.objects.filter(
            network=network, number__isnull=False, published_at__lte=moment
        )
        .order_by("-number")
        .first()
    )


def draft_of(network: Network) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(network=network, number__isnull=True).first()


@transaction.atomic
def do_save_draft(actor: Membership, *, purpose: str, policy: str) -> PolicyVersion:
    check_manage_policy_permission(actor)
    draft = (
        PolicyVersion.objects.select_for_update()
        .filter(network_id=actor.network_id, number__isnull=True)
        .first()
    ) or PolicyVersion(network_id=actor.network_id)
    draft.purpose, draft.policy = purpose, policy
    draft.full_clean(exclude=["network"])
    draft.save()
    return draft


@transaction.atomic
def do_publish_policy(actor: Membership) -> PolicyVersion:
    """The draft becomes the next version; every member is asked to accept it on their next
    visit (the network's cached entry, which carries the current number, is dropped)."""
    check_manage_policy_permission(actor)
    network = Network.objects.select_for_update().get(pk=actor.network_id)
    draft = (
        PolicyVersion.objects.select_for_update()
        .filter(network=network, number__isnull=True)
        .first()
    )
    if draft is None:
        raise ValidationError(_("There is no draft to publish. Write one first."))
    newest = PolicyVersion.objects.filter(network=network).aggregate(n=Max("number"))["n"]
    draft.number = (newest or 0) + 1
    draft.published_at = timezone.now()
    draft.published_by_id = actor.user_id
    draft.save()
    record(actor, AuditAction.PUBLISH_POLICY, version=draft.number)
    forget_network(network)
    return draft


def do_record_consent(
    membership: Membership, version: PolicyVersion, *, how: str, at: datetime | None = None
) -> Consent:
    """Notes that the member accepted the version (once: a second acceptance changes
    nothing), and drops their cached membership, which carries the accepted number."""
    if version.network_id != membership.network_id:
        raise ValueError("A policy version of another network.")
    consent, _created = Consent.objects.get_or_create(
        membership=membership,
        version=version,
        defaults={
            "network_id": membership.network_id,
            "accepted_at": at or timezone.now(),
            "how": how,
        },
    )
    forget_membership(membership.network_id, membership.user_id)
    return consent


@transaction.atomic
def do_accept_policy(member: Membership, number: int | None) -> Consent:
    """The member accepts the version they read. A form shown before a newer version was
    published is refused: they must read the one that is current now."""
    check_accept_policy_permission(member)
    current = current_policy(member.network)
    if current is None:
        raise ValidationError(_("This network has not published a privacy policy."))
    if number != current.number:
        raise ValidationError(
            _(
                "The policy was changed while you were reading it. Please read the current "
                "version (version %(number)s) and accept it."
            )
            % {"number": current.number}
        )
    return do_record_consent(member, current, how=HowGiven.PAGE)


def agreed_version(
    network: Network, agreed: int | None, *, before: PolicyVersion | None = None
) -> PolicyVersion | None:
    """The version a person joining accepts. Without a published policy nobody is asked;
    with one, they must have ticked its current version (the number the form was shown
    with), unless they already agreed to it before (``before``: at the exit interview or
    through the HR system)."""
    current = current_policy(network)
    if current is None or (before is not None and before.pk == current.pk):
        return current
    if agreed is None:
        raise ValidationError(
            _("Please read the purpose of use and the privacy policy, and agree to them.")
        )
    if agreed != current.number:
        raise ValidationError(
            _(
                "The policy was changed while you were reading it. Please read the current "
                "version (version %(number)s) and agree to it."
            )
            % {"number": current.number}
        )
    return current
