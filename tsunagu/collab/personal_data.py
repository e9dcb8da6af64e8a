"""Links, opt-ins and disclosure records (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule(
        "collab.Link",
        owner="requested_by",
        erase=Erase.KEEP,
        why="the operator who asked for a link between networks; the account it names is emptied",
    ),
    Rule(
        "collab.CoHost",
        owner="invited_by",
        erase=Erase.KEEP,
        why="the operator who invited a linked network to co-host an event; the account it "
        "names is emptied",
    ),
    Rule(
        "collab.OptIn",
        owner="membership",
        kind="linked_network_consents",
        export=("link__network__name", "link__partner__name", "opted_in_at", "opted_out_at"),
        erase=Erase.KEEP,
        why="the consent each disclosure record refers to stays as its proof; it names only "
        "the ended membership",
        order=60,
    ),
    Rule(
        "collab.Disclosure",
        owner="membership",
        kind="shown_to_linked_networks",
        export=("viewer_network__name", "day", "fields", "views"),
        erase=Erase.KEEP,
        why="the record of provision to a third party (APPI Art. 29) is kept for its period "
        "(three years); it names only the ended membership",
    ),
)
