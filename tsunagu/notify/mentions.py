"""@名前 mentions, the same in every app that notifies the members a text names."""

from __future__ import annotations

import re

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Replace

from tsunagu.tenancy.access import filter_active_members
from tsunagu.tenancy.models import Membership

# A name written without its spaces, after an @ that does not follow a letter (not an address).
MENTION = re.compile(r"(?<![\w@])@([^\s@<>()\[\]{}、。,.!?！？「」]{1,40})")
MAX_MENTIONS = 10


def mentioned_members(member: Membership, text: str) -> QuerySet[Membership]:
    """Active members of the member's network named in ``text``; at most ``MAX_MENTIONS``."""
    names = {m[:40] for m in MENTION.findall(text)}
    if not names:
        return Membership.objects.none()
    compact = Replace(Replace(F("user__name"), Value(" "), Value("")), Value("\u3000"), Value(""))
    found = (
        filter_active_members(member.network)
        .annotate(compact=compact)
        .filter(compact__in=list(names)[:MAX_MENTIONS])
    )
    return found[:MAX_MENTIONS]
