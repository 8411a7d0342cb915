"""Clients for every role, a fixed working day, and fresh throttles for each API test."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from services.core import clock
from tests.issues.state import shanghai

# Tuesday 3 March 2026, 10:00 in Jiangjin: a working day well inside the State Council's calendar.
WORKING_DAY = shanghai(2026, 3, 3, 10)


@pytest.fixture(autouse=True)
def _on_a_working_day():
    with clock.travel_to(WORKING_DAY):
        yield


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client signed in as ``user`` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make
