"""What the careers app adds to the directory and the profile page (``profiles/extensions.py``,
registered in ``apps.py``): the "open to" filter for operators and recruiters, and a member's
flags on their profile page for those they let see them.

Who sees which flag is ``access.filter_flags_for()``, stated once; the directory's other readers
get neither the filter nor its matches, and cost no query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagu.profiles.extensions import DirectoryFilter, ProfileSection
from tsunagu.profiles.models import DirectoryEntry, Profile
from tsunagu.tenancy.models import Membership

from .access import filter_flags_for, flag_audiences_for
from .models import Flag, FlagAudience, OpenTo

PARAM = "open_to"
ANY = "any"


def flag_choices(reader: Membership) -> list[tuple[str, Any]]:
    """Operators and recruiters filter by the flags; nobody else is offered the filter."""
    if not flag_audiences_for(reader):
        return []
    return [(ANY, _("Open to anything")), *Flag.choices]


def narrow(
    reader: Membership, entries: QuerySet[DirectoryEntry], value: str
) -> QuerySet[DirectoryEntry]:
    """Members with the flag (or any flag) set for an audience the reader belongs to."""
    flags = filter_flags_for(reader)
    if value != ANY:
        flags = flags.filter(flag=value)
    return entries.filter(profile_id__in=flags.values("membership_id"))


def scope(reader: Membership) -> str:
    return ",".join(sorted(flag_audiences_for(reader)))


FILTER = DirectoryFilter(
    param=PARAM,
    label=_("Open to"),
    choices=flag_choices,
    narrow=narrow,
    scope=scope,
    link=(_("Members open to opportunities"), ANY),
)


def profile_flags(reader: Membership, profile: Profile) -> dict[str, Any] | None:
    """The flags of the profile's member the reader may see; the member sees their own with
    whom each is shown to. None (no section, no query) for everyone else."""
    if reader.pk == profile.pk:
        mine = OpenTo.objects.filter(network_id=reader.network_id, membership_id=reader.pk)
        rows = [
            {"label": Flag(f.flag).label, "audience": FlagAudience(f.audience).label}
            for f in sorted(mine, key=lambda f: Flag.values.index(f.flag))
        ]
        return {"flags": rows, "is_me": True}
    if not flag_audiences_for(reader):
        return None
    seen = filter_flags_for(reader).filter(membership_id=profile.pk)
    flags = sorted({f for f in seen.values_list("flag", flat=True)}, key=Flag.values.index)
    if not flags:
        return None
    return {"flags": [{"label": Flag(f).label} for f in flags], "is_me": False}


SECTION = ProfileSection(template="careers/profile_flags.html", context=profile_flags)
