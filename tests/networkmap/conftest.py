"""The child-plan personas and a full plan (tests/childplans/conftest.py), plus a network map."""

import pytest

from tests.childplans.conftest import *  # noqa: F403  (fixtures: plan, contact, teacher, full_plan …)

from .helpers import add_network_map


@pytest.fixture
def network_map(full_plan, contact):
    full_plan.update(add_network_map(full_plan["plan"], contact))
    return full_plan
