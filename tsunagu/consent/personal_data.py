"""Consents to the purpose of use and privacy policy (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule(
        "consent.Consent",
        owner="membership",
        kind="consents",
        export=("network__name", "version__number", "version__published_at", "accepted_at", "how"),
        erase=Erase.KEEP,
        why="the record that the policy was accepted (who, which version, when, how) stays as "
        "proof; it names only the ended membership",
    ),
    Rule(
        "consent.PolicyVersion",
        owner="published_by",
        erase=Erase.KEEP,
        why="the operator who published a version; the account it names is emptied",
    ),
)
