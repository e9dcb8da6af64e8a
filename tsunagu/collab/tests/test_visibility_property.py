"""The visibility rule against a model small enough to read, over random sequences of link,
revoke, opt-in, opt-out and audience changes (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.profiles.models import Audience
from tsunagu.testing.world import World

from ..access import filter_profiles_visible_across, visible_across
from ..actions import do_revoke_link, do_set_opt_in
from ..models import Link, LinkState
from .helpers import link_networks, request_link, share_across

FIELDS = ("current_work", "industry", "introduction")
AUDIENCES = [str(a) for a in Audience.values]

operations = st.one_of(
    st.tuples(st.just("link"), st.booleans()),  # with the directory or not
    st.tuples(st.just("request"), st.just(None)),  # asked, never answered
    st.tuples(st.just("revoke"), st.just(None)),
    st.tuples(st.just("opt_in"), st.just(None)),
    st.tuples(st.just("opt_out"), st.just(None)),
    st.tuples(st.just("audience"), st.tuples(st.sampled_from(FIELDS), st.sampled_from(AUDIENCES))),
)


@dataclass
class Model:
    """What must hold, in plain terms."""

    active: bool = False
    directory: bool = False
    pending: bool = False
    opted_in: bool = False
    audiences: dict[str, str] = field(default_factory=dict)

    def visible(self, name: str) -> bool:
        if not (self.active and self.directory and self.opted_in):
            return False
        return name == "name" or self.audiences.get(name) == Audience.LINKED


class Rollback(Exception):
    pass


def open_link() -> Link | None:
    with scopes_disabled():
        return Link.objects.filter(
            state__in=[LinkState.REQUESTED, LinkState.COUNTERED, LinkState.ACTIVE]
        ).first()


def apply(world: World, model: Model, op: str, arg: Any) -> None:
    subject = world.alumni_b
    current = open_link()
    if op == "link" and current is None:
        link_networks(
            world.operator_a, world.operator_b, ("directory", "events") if arg else ("events",)
        )
        model.active, model.directory, model.opted_in = True, bool(arg), False
    elif op == "request" and current is None:
        request_link(world.operator_a, "hidamari-b")
        model.pending, model.opted_in = True, False
    elif op == "revoke" and current is not None:
        # The asking side withdraws or ends (the asked side declines a first request instead).
        with scope(network=world.net_a):
            do_revoke_link(world.operator_a, current)
        model.active = model.pending = model.directory = model.opted_in = False
    elif op in ("opt_in", "opt_out"):
        try:
            with scope(network=world.net_b):
                do_set_opt_in(subject, current.pk if current else 0, visible=op == "opt_in")
        except Http404:
            assert not (model.active and model.directory)
        else:
            model.opted_in = op == "opt_in"
    elif op == "audience":
        name, audience = arg
        share_across(subject, name, audience=audience)
        model.audiences[name] = audience


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, max_size=10))
def test_visible_across_follows_the_rule_after_any_sequence(
    world: World, steps: list[tuple[str, Any]]
) -> None:
    share_across(world.alumni_b, "introduction", introduction="はじめまして")
    try:
        with transaction.atomic():
            model = Model(audiences={"introduction": str(Audience.LINKED)})
            for op, arg in steps:
                apply(world, model, op, arg)
                for name in ("name", *FIELDS):
                    assert visible_across(world.alumni_a, world.alumni_b, name) == model.visible(
                        name
                    ), (steps, name, model)
                # Within B, and from B towards A, nothing changes because of a link.
                assert not visible_across(world.alumni_b, world.supporter_b, "name")
                with scopes_disabled():
                    listed = set(
                        filter_profiles_visible_across(world.alumni_a).values_list(
                            "membership_id", flat=True
                        )
                    )
                assert (world.alumni_b.pk in listed) == model.visible("name"), (steps, model)
                assert listed <= {world.alumni_b.pk}
            raise Rollback
    except Rollback:
        pass
