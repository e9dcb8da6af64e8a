"""Opportunities (see privacy/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tsunagu.privacy.registry import Erase, Rule, register

from .models import Opportunity, OpportunityFile

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context

WRITTEN = ("title", "description", "contact_person", "compensation", "location", "starts")


def tombstone_opportunities(rows: QuerySet[Opportunity], ctx: Context) -> None:
    if ctx.keep_posts:
        return
    for opportunity in rows:
        for name in WRITTEN:
            setattr(opportunity, name, ctx.tombstone if name == "title" else "")
        opportunity.save()
        for attached in OpportunityFile.objects.filter(opportunity=opportunity):
            attached.file.delete(save=False)
            attached.delete()


register(
    Rule(
        "careers.Opportunity",
        owner="poster",
        kind="opportunities",
        export=("kind", *WRITTEN, "created_at"),
        erase=Erase.TOMBSTONE,
        erase_with=tombstone_opportunities,
    ),
    Rule(
        "careers.Opportunity",
        owner="reviewed_by",
        erase=Erase.KEEP,
        why="the operator who approved an opportunity; the account it names is emptied",
    ),
    Rule(
        "careers.Application",
        owner="member",
        kind="opportunity_applications",
        export=("opportunity__title", "mode", "message", "cv_name", "status", "created_at"),
        files=("cv",),
        erase=Erase.DELETE,
    ),
    Rule("careers.Recruiter", owner="membership", erase=Erase.DELETE, why="a role, not data"),
    Rule(
        "careers.OpenTo",
        owner="membership",
        kind="open_to",
        export=("flag", "audience", "updated_at"),
        erase=Erase.DELETE,
    ),
)
