"""Insights (see privacy/registry.py): activity stays in the figures, without the person."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

COUNTED = "counted in the network's figures; the reference to the person is emptied"

register(
    Rule("insights.ActivityDay", owner="member", erase=Erase.COUNT, why=COUNTED),
    Rule("insights.Contribution", owner="member", erase=Erase.COUNT, why=COUNTED),
    Rule("insights.OutcomeMember", owner="member", erase=Erase.COUNT, why=COUNTED),
    Rule(
        "insights.Award",
        owner="member",
        kind="awards",
        export=("year", "kind", "reason"),
        erase=Erase.DELETE,
    ),
    Rule(
        "insights.Award",
        owner="chosen_by",
        erase=Erase.KEEP,
        why="the operator who chose an award; the account it names is emptied",
    ),
    Rule(
        "insights.Outcome",
        owner="recorded_by",
        erase=Erase.KEEP,
        why="the operator who recorded an outcome; the account it names is emptied",
    ),
)
