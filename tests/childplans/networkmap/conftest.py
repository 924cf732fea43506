"""A network map on the full plan of tests/childplans/conftest.py (whose fixtures apply here)."""

import pytest

from .helpers import add_network_map


@pytest.fixture
def network_map(full_plan, contact):
    full_plan.update(add_network_map(full_plan["plan"], contact))
    return full_plan
