from __future__ import annotations

import pytest

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.tests.test_browser_journey import page  # noqa: F401
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World


@pytest.fixture
def employee_b(world: World) -> Membership:
    """An employee of network B: the shared world has none, and opportunities have an
    employees-only audience."""
    return make_member(world.net_b, make_user(name="中村 陽菜"), role=Role.EMPLOYEE)
