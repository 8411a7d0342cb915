import datetime as dt

import pytest
from django.utils import timezone

from services.core import clock
from services.issues.lifecycle import Status
from tests.factories import issues as make


@pytest.mark.django_db
def test_an_issue_can_travel_from_filing_to_closure(enterprise_user, dispatcher, handler, category):
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))):
        issue = make.responded(
            enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
        )
    assert issue.status == Status.RESPONDED
    assert issue.events.count() == 5
