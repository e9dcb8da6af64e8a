"""Who may see which field of a profile.

Every shareable field has an audience chosen by its owner (defaults below). A viewer has a level:
the owner sees everything, the network's operators see what is shared with operators or members,
other members see what is shared with members. Pages never read a profile's fields directly: they
receive a :class:`ProfileView`, which holds only what the viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tsunagu.tenancy.models import Membership

from .models import Audience, Profile

# field -> (label, default audience). The display name is always shown to members.
FIELDS: dict[str, tuple[Any, str]] = {
    "name_kanji": (_("Name in kanji"), Audience.MEMBERS),
    "name_kana": (_("Name in kana"), Audience.MEMBERS),
    "name_romaji": (_("Name in romaji"), Audience.MEMBERS),
    "photo": (_("Photo"), Audience.MEMBERS),
    "years": (_("Years at the company"), Audience.MEMBERS),
    "last_position": (_("Last department and title"), Audience.MEMBERS),
    "career": (_("Career inside the company"), Audience.MEMBERS),
    "current_work": (_("Current employer and role"), Audience.MEMBERS),
    "industry": (_("Industry"), Audience.MEMBERS),
    "location": (_("Location"), Audience.MEMBERS),
    "skills": (_("Skills and qualifications"), Audience.MEMBERS),
    "interests": (_("Interests"), Audience.MEMBERS),
    "can_help_with": (_("What I can help with"), Audience.MEMBERS),
    "looking_for": (_("What I am looking for"), Audience.MEMBERS),
    "introduction": (_("Self-introduction"), Audience.MEMBERS),
    "links": (_("Links"), Audience.MEMBERS),
    "contact": (_("Contact details"), Audience.ONLY_ME),
    "birth_date": (_("Birth date"), Audience.ONLY_ME),
}

# Which model attributes each shareable field covers.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "name_kanji": ("name_kanji",),
    "name_kana": ("name_kana",),
    "name_romaji": ("name_romaji",),
    "photo": ("photo",),
    "years": ("joined_on", "left_on"),
    "last_position": ("last_department", "last_title"),
    "career": (),
    "current_work": ("current_employer", "current_role"),
    "industry": ("industry",),
    "location": ("location",),
    "skills": (),
    "interests": (),
    "can_help_with": ("can_help_with",),
    "looking_for": ("looking_for",),
    "introduction": ("introduction", "introduction_html"),
    "links": ("links",),
    "contact": ("contact_email", "contact_phone"),
    "birth_date": ("birth_date",),
}

OWNER, OPERATOR, MEMBER = "owner", "operator", "member"
# A member of a linked network (collab): sees only what is shared with linked networks.
LINKED = "linked"
# Plain strings, not enum members: these sets are consulted for every field of every card.
_AUDIENCES = frozenset(str(a) for a in Audience.values)
_SHOWN_TO = {
    OWNER: frozenset(_AUDIENCES),
    OPERATOR: frozenset({str(Audience.OPERATORS), str(Audience.MEMBERS), str(Audience.LINKED)}),
    MEMBER: frozenset({str(Audience.MEMBERS), str(Audience.LINKED)}),
    LINKED: frozenset({str(Audience.LINKED)}),
}
_DEFAULTS = {field: str(default) for field, (_, default) in FIELDS.items()}


def audience_of(profile: Profile, field: str) -> str:
    value = (profile.visibility or {}).get(field)
    return value if value in _AUDIENCES else _DEFAULTS[field]


def shared_with_members(profile: Profile, field: str) -> bool:
    """Whether every member of the profile's network may see ``field`` (shared with the
    network, or with linked networks too)."""
    return audience_of(profile, field) in _SHOWN_TO[MEMBER]


def viewer_level(viewer: Membership, profile: Profile) -> str:
    if viewer.pk == profile.membership_id:
        return OWNER
    if viewer.is_operator:
        return OPERATOR
    return MEMBER


def visible_fields(profile: Profile, level: str) -> frozenset[str]:
    shown = _SHOWN_TO[level]
    chosen = profile.visibility or {}
    return frozenset(
        field
        for field, default in _DEFAULTS.items()
        if (chosen.get(field) if chosen.get(field) in _AUDIENCES else default) in shown
    )


def hidden_audiences(level: str) -> list[str]:
    """The audiences a viewer of this level may not see: used to filter lists in the database."""
    return [a for a in sorted(_AUDIENCES) if a not in _SHOWN_TO[level]]


@dataclass
class ProfileView:
    """A profile as one viewer may see it: fields outside the viewer's reach are simply absent."""

    profile: Profile
    level: str
    fields: frozenset[str]
    values: dict[str, Any]
    skills: list[Any]
    interests: list[Any]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("shows_"):
            return name[6:] in self.__dict__["fields"]
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def membership(self) -> Membership:
        return self.profile.membership

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def pk(self) -> Any:
        return self.profile.pk

    def shows(self, field: str) -> bool:
        return field in self.fields

    def private_fields_seen(self) -> list[str]:
        """Fields with content that the viewer sees only because they are an operator."""
        if self.level != OPERATOR:
            return []
        return [
            field
            for field in sorted(self.fields)
            if audience_of(self.profile, field) == Audience.OPERATORS
            and (
                any(self.values.get(a) for a in ATTRIBUTES[field])
                or (field == "career" and self.values.get("career"))
                or (field in ("skills", "interests") and getattr(self, field))
            )
        ]


def view_of(profile: Profile, level: str, *, career: bool = True) -> ProfileView:
    fields = visible_fields(profile, level)
    values: dict[str, Any] = {}
    for field in fields:
        for attribute in ATTRIBUTES[field]:
            values[attribute] = getattr(profile, attribute)
    if "links" in fields:
        values["link_list"] = profile.link_list
    if career and "career" in fields:
        values["career"] = list(profile.career.all())
    tags = list(profile.tags.all()) if {"skills", "interests"} & fields else []
    return ProfileView(
        profile=profile,
        level=level,
        fields=fields,
        values=values,
        skills=[t for t in tags if t.kind == "skill"] if "skills" in fields else [],
        interests=[t for t in tags if t.kind == "interest"] if "interests" in fields else [],
    )
