"""This app's own rows (see registry.py)."""

from __future__ import annotations

from .registry import Erase, Rule, register

register(
    Rule(
        "privacy.DataExport",
        owner="user",
        erase=Erase.DELETE,
        files=("file",),
        why="the exports themselves: deleted with their files",
        order=10,
    ),
    Rule(
        "privacy.Erasure",
        owner="user",
        erase=Erase.KEEP,
        why="the record that the erasure was asked for and done; it holds no personal data",
    ),
)
