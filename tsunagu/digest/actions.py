from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tsunagu.audit.models import AuditAction, record
from tsunagu.tenancy.models import Membership

from .content import Digest, build_digest, since_for
from .prefs import frequency_for


@transaction.atomic
def do_preview_digest(operator: Membership, member: Membership) -> tuple[Digest, str]:
    """The digest the member would receive now; the operator's look is audited, as it shows
    what the member may see."""
    frequency = frequency_for(member)
    digest = build_digest(member, since_for(member, frequency, timezone.now()))
    record(operator, AuditAction.PREVIEW_DIGEST, target=member, frequency=frequency)
    return digest, frequency
