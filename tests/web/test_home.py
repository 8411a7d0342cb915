import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.core import clock
from services.issues.models import Urgency
from tests.factories import CategoryFactory, EnterpriseUserFactory
from tests.factories import issues as make

pytestmark = pytest.mark.django_db


def home_of(client, user):
    client.force_login(user)
    return client.get(reverse("web:home"))


def test_an_enterprise_user_sees_its_own_open_issues_and_no_one_elses(client, at, enterprise_user, category):
    with at():
        own = make.filed(enterprise_user=enterprise_user, category=category, title="缺焊工30名")
        make.filed(enterprise_user=EnterpriseUserFactory(), category=category, title="别家企业的诉求")

    response = home_of(client, enterprise_user)

    assert response.status_code == 200
    page = response.content.decode()
    assert own.number in page
    assert "缺焊工30名" in page
    assert "别家企业的诉求" not in page
    assert "待受理" in page


def test_a_unit_handler_sees_its_units_issues_soonest_due_first(
    client, at, enterprise_user, dispatcher, handler, other_unit, category
):
    with at():
        # Filed first, but 特急: signing is due within the hour.
        critical = make.dispatched(
            enterprise_user=enterprise_user,
            dispatcher=dispatcher,
            unit=handler.unit,
            category=category,
            title="特急：变压器故障停产",
            urgency=Urgency.CRITICAL,
        )
    with at(minutes=5):
        normal = make.dispatched(
            enterprise_user=enterprise_user,
            dispatcher=dispatcher,
            unit=handler.unit,
            category=category,
            title="一般：招工难",
        )
        make.dispatched(
            enterprise_user=enterprise_user,
            dispatcher=dispatcher,
            unit=other_unit,
            category=category,
            title="别的单位的诉求",
        )

    with at(minutes=30):
        page = home_of(client, handler).content.decode()

    assert page.index(critical.title) < page.index(normal.title)
    assert "别的单位的诉求" not in page
    assert "截止时间" in page
    assert "2026-03-02 10:00" in page  # the critical issue's signing deadline, in Asia/Shanghai


def test_a_passed_deadline_carries_the_overdue_badge(
    client, at, enterprise_user, dispatcher, handler, category
):
    with at():
        make.dispatched(
            enterprise_user=enterprise_user,
            dispatcher=dispatcher,
            unit=handler.unit,
            category=category,
            urgency=Urgency.CRITICAL,
        )
        make.dispatched(
            enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
        )

    with at(minutes=30):
        before = home_of(client, handler).content.decode()
    with at(hours=2):
        after = home_of(client, handler).content.decode()

    assert 'class="badge due-overdue"' not in before
    assert after.count('class="badge due-overdue">已超期') == 1


def test_an_empty_work_list_says_so(client, handler):
    page = home_of(client, handler).content.decode()

    assert "没有符合条件的待办诉求。" in page
    assert "<table" not in page


def test_a_year_without_a_holiday_notice_shows_the_calendar_warning(client, dispatcher):
    client.force_login(dispatcher)
    with clock.travel_to(timezone.make_aware(dt.datetime(2031, 3, 3, 9, 0))):
        page = client.get(reverse("web:home")).content.decode()

    assert "2031年的法定节假日安排尚未录入" in page


def test_the_work_list_is_paginated(client, at, enterprise_user, dispatcher, category):
    for n in range(26):
        with at(minutes=n):
            make.filed(enterprise_user=enterprise_user, category=category, title=f"第{n}件诉求")
    client.force_login(dispatcher)

    first = client.get(reverse("web:home")).content.decode()
    second = client.get(reverse("web:home"), {"page": 2}).content.decode()

    assert "共 26 件" in first
    assert "第 1 / 2 页" in first
    assert "?page=2" in first
    # The queue to accept is worked oldest first: the newest waits alone on the second page.
    assert second.count("第25件诉求") == 1 and "第0件诉求" not in second


def _issues_for(*, enterprise_user, dispatcher, unit, count):
    """Issues of several enterprises (the viewer's among them), each in its own category."""
    for n in range(count):
        make.dispatched(
            enterprise_user=enterprise_user if n % 2 == 0 else EnterpriseUserFactory(),
            dispatcher=dispatcher,
            unit=unit,
            category=CategoryFactory(parent=CategoryFactory()),
        )


def _queries_for_home(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:home"), {"queue": "all", "tab": "all"}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["dispatcher", "handler", "enterprise_user"])
def test_the_home_page_query_count_does_not_grow_with_the_issues(
    client, request, django_assert_max_num_queries, at, enterprise_user, dispatcher, handler, viewer
):
    user = request.getfixturevalue(viewer)
    with at():
        _issues_for(enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, count=1)
    client.force_login(user)
    _queries_for_home(client)  # warm up anything cached per process
    baseline = _queries_for_home(client)

    with at(minutes=5):
        _issues_for(enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, count=8)

    with django_assert_max_num_queries(baseline):
        response = client.get(reverse("web:home"), {"queue": "all", "tab": "all"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 5
