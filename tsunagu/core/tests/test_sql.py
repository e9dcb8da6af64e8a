"""``in_scope()``: a hand-written statement fails closed outside its network's scope, as the
scoped manager does."""

from __future__ import annotations

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from tsunagu.core.sql import in_scope


def test_a_statement_runs_in_its_own_networks_scope() -> None:
    with scope(network=7):
        in_scope(7)


def test_a_statement_runs_where_scopes_are_disabled_on_purpose() -> None:
    with scopes_disabled():
        in_scope(7)


@pytest.mark.parametrize(
    "active",
    [
        {},  # no scope at all
        {"network": 8},  # another network's
        {"organisation": 7},  # a scope without a network
    ],
)
def test_a_statement_refuses_to_run_elsewhere(active: dict[str, object]) -> None:
    if not active:
        with pytest.raises(ScopeError):
            in_scope(7)
        return
    with scope(**active), pytest.raises(ScopeError):
        in_scope(7)


def test_a_network_object_in_the_scope_counts_by_its_id() -> None:
    class Network:
        pk = 7

    with scope(network=Network()):
        in_scope(7)
    with scope(network=Network()), pytest.raises(ScopeError):
        in_scope(8)
