"""What Tsunagu keeps about a person, and what export and erasure do with each kind of row.

Every model that refers to an account or a membership (a foreign key or one-to-one field) is
declared here by its own app, in ``<app>/personal_data.py``, with ``register(Rule(...))``:

- ``owner``: the lookup from the model to the person (``"user"``, ``"sender"``,
  ``"profile__membership"``); it ends at the account or at a membership.
- ``kind`` and ``export``: the name of the file in the person's export and the fields it holds
  (``ALL`` for every concrete field but the ``hidden`` ones); no ``kind``: not exported, and
  ``why`` says why (a reference to the person from someone else's row, say).
- ``files``: file fields whose files go into the export and are deleted from storage by erasure.
- ``erase``: what erasure does with the rows (see ``Erase``), ``blank`` naming the fields that
  BLANK and TOMBSTONE empty; ``erase_with`` a function for what the generic ones cannot say.

``tests/test_registry.py`` walks every model of every installed app and fails, naming it, when a
reference to a person has no rule: a new app cannot forget to say what happens to its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models

if TYPE_CHECKING:
    from .erasure import Context

ALL = ("*",)


class Erase(StrEnum):
    DELETE = "delete"  # the rows go, with their files
    BLANK = "blank"  # the rows stay (other people's records need them); ``blank`` fields emptied
    TOMBSTONE = "tombstone"  # what the person wrote: emptied, or kept as 「退会したメンバー」
    COUNT = "count"  # kept only as a count: the reference to the person becomes empty (NULL)
    PSEUDONYMISE = "pseudonymise"  # kept with the person's name replaced (erase_with does it)
    KEEP = "keep"  # nothing personal beyond the link to the ended membership; ``why`` says so


@dataclass(frozen=True)
class Rule:
    model: str  # "app_label.ModelName"
    owner: str
    erase: Erase
    kind: str = ""
    export: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    blank: tuple[str, ...] = ()
    erase_with: Callable[[models.QuerySet[Any], Context], None] | None = None
    why: str = ""
    # Erasure runs rules in this order, lowest first (rows that others point to go last).
    order: int = 50
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def field_name(self) -> str:
        """The field of the model the rule covers: the first step of ``owner``."""
        return self.owner.split("__", 1)[0]

    def rows_of(self, user_id: int, membership_ids: list[int]) -> models.QuerySet[Any]:
        """The rows of this rule about the person (call with scopes disabled)."""
        manager = self.model_class._base_manager
        if self.owner == "pk":
            return manager.filter(pk=user_id)
        if self.target() is apps.get_model("tenancy", "Membership"):
            return manager.filter(**{f"{self.owner}__in": membership_ids})
        return manager.filter(**{self.owner: user_id})

    def target(self) -> type[models.Model]:
        """The model the owner lookup ends at: the account's or the membership's."""
        model = self.model_class
        if self.owner == "pk":
            return model
        for step in self.owner.split("__"):
            model = model._meta.get_field(step).related_model  # type: ignore[assignment]
        return model

    def export_fields(self) -> list[str]:
        if not self.kind:
            return []
        if self.export == ALL:
            return [
                f.attname
                for f in self.model_class._meta.concrete_fields
                if f.name not in self.hidden and f.attname not in self.hidden
            ]
        return list(self.export)


_rules: list[Rule] = []


def register(*rules: Rule) -> None:
    for rule in rules:
        if rule.erase is Erase.KEEP and not rule.why:
            raise ValueError(f"{rule.model}.{rule.owner}: say why the rows are kept")
        if not rule.kind and rule.erase is not Erase.KEEP and not rule.why:
            raise ValueError(f"{rule.model}.{rule.owner}: say why it is not exported")
        _rules.append(rule)


def rules() -> list[Rule]:
    return sorted(_rules, key=lambda r: r.order)


def covered() -> set[tuple[str, str]]:
    """(model label, field name) of every reference to a person that has a rule."""
    return {(r.model, r.field_name) for r in _rules}


def export_rules() -> list[Rule]:
    return [r for r in rules() if r.kind]
