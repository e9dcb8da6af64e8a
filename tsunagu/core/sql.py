"""Helpers for statements written by hand (``connection.cursor()``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_scopes import ScopeError, get_scope

from .converters import parse_id

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Rule:
    """An access rule as a hand-written statement states it: a condition over the statement's
    aliases, with the parameters of its placeholders. Made beside the rule's ``Q`` in the
    app's ``access.py``, from the same values, so the two cannot drift apart."""

    sql: str
    params: tuple[Any, ...]


def in_scope(network_id: int) -> None:
    """Fail closed as the scoped manager does: a hand-written statement about ``network_id`` runs
    only inside that network's scope (``django_scopes.scope(network=…)``, which the network's
    pages and tasks enter) or where scopes are disabled on purpose. Every statement of a
    ``queries.py`` calls it first, so a statement handed another network's id raises instead
    of reading that network."""
    current = get_scope()
    if not current.get("_enabled", False):
        if current:  # scopes_disabled(): on purpose
            return
        raise ScopeError(f"a statement about network {network_id} ran outside any scope")
    network = current.get("network")
    if network is None:
        raise ScopeError(f"a statement about network {network_id} ran outside a network's scope")
    if getattr(network, "pk", network) != network_id:
        raise ScopeError(f"a statement about network {network_id} ran in another network's scope")


def placeholders(values: Sequence[object]) -> str:
    """``%s, %s, …`` for an ``IN (…)`` of ``values``; never empty (callers write ``FALSE``
    instead of an empty list)."""
    if not values:
        raise ValueError("an IN list needs at least one value")
    return ", ".join(["%s"] * len(values))


def aware(value: Any) -> datetime:
    """A datetime column's value as the ORM would give it: SQLite returns naive UTC (or text),
    PostgreSQL aware datetimes."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def object_id(value: object) -> int:
    """An object id from the URL for a hand-written statement; 404 for anything that is not a
    positive 64-bit integer, as the ORM's lookup would give."""
    pk = parse_id(value)
    if pk is None:
        raise Http404
    return pk


def columns(model: type[Model], alias: str, using: str = "default") -> str:
    """Every concrete column of ``model`` as ``alias."column", …``, in the order model_from_row()
    reads them: a statement names the model's columns from the model, never by hand."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def column(model: type[Model], name: str) -> str:
    """The column of ``model``'s field ``name``, for a statement (a foreign key's ``…_id``)."""
    return str(model._meta.get_field(name).column)  # type: ignore[union-attr]


# Per model and database vendor: the fields whose values the ORM converts when it reads them
# (their index, the converters and the column the converters expect).
_CONVERTERS: dict[tuple[type[Model], str], list[tuple[int, list[Any], Any]]] = {}


def _converters(model: type[Model], connection: Any) -> list[tuple[int, list[Any], Any]]:
    found = _CONVERTERS.get((model, connection.vendor))
    if found is None:
        found = []
        for index, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            converters = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            if converters:
                found.append((index, converters, column))
        _CONVERTERS[(model, connection.vendor)] = found
    return found


def model_from_row(model: type[M], row: Sequence[Any], start: int = 0, using: str = "default") -> M:
    """An instance of ``model`` from the values of columns(model, …) that begin at ``start`` in
    ``row``, converted as the ORM converts what it reads (SQLite's datetimes and booleans,
    JSON), with nothing added to it."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    values = list(row[start : start + len(fields)])
    for index, converters, column in _converters(model, connection):
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    names = [field.attname for field in fields]
    return model.from_db(using, names, values)
