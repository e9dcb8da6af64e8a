"""Onboarding (see privacy/registry.py). Invitations to the person's addresses are deleted and
the addresses put on the do-not-invite list by privacy.erasure.forget_addresses."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

KEPT_REFERENCE = "a reference from the network's own record; the account it names is emptied"

register(
    Rule("onboarding.ImportBatch", owner="created_by", erase=Erase.KEEP, why=KEPT_REFERENCE),
    Rule("onboarding.InviteLink", owner="created_by", erase=Erase.KEEP, why=KEPT_REFERENCE),
    Rule("onboarding.ExitCode", owner="created_by", erase=Erase.KEEP, why=KEPT_REFERENCE),
    Rule(
        "onboarding.Invitation",
        owner="invited_by",
        erase=Erase.KEEP,
        why="an invitation the person sent to someone else: the invitee's record",
    ),
    Rule(
        "onboarding.Invitation",
        owner="membership",
        kind="invitations",
        export=("network__name", "email", "name", "name_kana", "name_romaji", "created_at"),
        erase=Erase.DELETE,
    ),
    Rule(
        "onboarding.Application",
        owner="user",
        kind="applications_to_join",
        export=("network__name", "answers", "declared_eligible", "status", "created_at"),
        erase=Erase.DELETE,
    ),
    Rule(
        "onboarding.Application",
        owner="decided_by",
        erase=Erase.KEEP,
        why="the operator who decided an application; the account it names is emptied",
    ),
    Rule(
        "onboarding.PendingJoin",
        owner="user",
        erase=Erase.DELETE,
        why="the invitation page opened before signing up, kept 30 days",
    ),
)
