import copy
import datetime as dt

import pytest
from django.utils import timezone

from services.core import clock
from tests.factories import AdminFactory

SITE_CONTEXT = "services.web.context_processors.site"


@pytest.fixture
def admin_user(db):
    return AdminFactory(display_name="高管理")


@pytest.fixture
def monday_morning():
    """2026-03-02 09:00 in Jiangjin, an ordinary working Monday."""
    return timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def at(monday_morning):
    """``with at(minutes=30):`` runs the block that many minutes after Monday 09:00."""

    def travel(**offset):
        return clock.travel_to(monday_morning + dt.timedelta(**offset))

    return travel


@pytest.fixture
def site_context(settings):
    """The site context processor, whether or not the project settings list it yet."""
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    if SITE_CONTEXT not in processors:
        processors.append(SITE_CONTEXT)
    settings.TEMPLATES = templates
    return settings
