"""The do-not-invite list: addresses a network must never invite.

Filled by the HR system (``do_not_invite`` on a leaver), by operators, and by the people
themselves (the link at the foot of every invitation). Roster imports, segment invitations,
member invitations, the HR hook and the sending task all ask it. Each address is kept as a keyed
hash (HMAC-SHA256 under the site's secret key): the list tells whether an address is on it, never
which addresses are. Operators see 「招待できません」 and not who put it there.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from .models import DoNotInvite, Invitation, InvitationStatus

SALT = "tsunagu.onboarding.do-not-invite"
# Invitations that may still be sent: an address put on the list stops them.
STOPPED = (
    InvitationStatus.NEW,
    InvitationStatus.PROPOSED,
    InvitationStatus.SCHEDULED,
    InvitationStatus.QUEUED,
    InvitationStatus.SENT,
    InvitationStatus.FAILED,
)


def normal_address(email: str) -> str:
    """An address as the roster stores it: NFKC (ｈａｎａｋｏ＠… is hanako@…), trimmed, lower."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def digest_of(email: str) -> str:
    return salted_hmac(SALT, normal_address(email), algorithm="sha256").hexdigest()


def blocked(network_id: int, emails: Iterable[str]) -> set[str]:
    """The addresses among ``emails`` this network must not invite."""
    by_digest = {digest_of(e): normal_address(e) for e in emails if e}
    if not by_digest:
        return set()
    found = DoNotInvite.objects.filter(
        network_id=network_id, digest__in=list(by_digest)
    ).values_list("digest", flat=True)
    return {by_digest[d] for d in found}


def is_blocked(network_id: int, email: str) -> bool:
    return bool(blocked(network_id, [email]))


@transaction.atomic
def do_block(network_id: int, emails: Iterable[str], source: str) -> int:
    """Puts the addresses on the list and stops their invitations; returns how many were new."""
    addresses = {normal_address(e) for e in emails if normal_address(e)}
    added = 0
    for address in addresses:
        try:
            with transaction.atomic():
                DoNotInvite.objects.create(
                    network_id=network_id, digest=digest_of(address), source=source
                )
            added += 1
        except IntegrityError:
            continue  # already on it
    Invitation.objects.filter(
        network_id=network_id, email__in=addresses, status__in=STOPPED
    ).update(status=InvitationStatus.BLOCKED)
    return added


@transaction.atomic
def do_unblock(network_id: int, emails: Iterable[str]) -> int:
    """Takes addresses off the list; their invitations wait to be sent again (not sent now)."""
    addresses = {normal_address(e) for e in emails if normal_address(e)}
    removed, _ = DoNotInvite.objects.filter(
        network_id=network_id, digest__in=[digest_of(a) for a in addresses]
    ).delete()
    Invitation.objects.filter(
        network_id=network_id, email__in=addresses, status=InvitationStatus.BLOCKED
    ).update(status=InvitationStatus.NEW)
    return removed
