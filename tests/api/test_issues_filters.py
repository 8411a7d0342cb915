"""Filtering, search, ordering and cursor pagination of the issue list."""

from datetime import timedelta

import pytest

from services.core import clock
from services.issues import actions
from tests.api.conftest import WORKING_DAY
from tests.factories import (
    CategoryFactory,
    EnterpriseFactory,
    EnterpriseUserFactory,
    ParkFactory,
    TownFactory,
)
from tests.factories import issues as make

pytestmark = pytest.mark.django_db


def ids(client, query: str = "") -> list[int]:
    response = client.get(f"/api/v1/issues/?{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def desk(client_for, dispatcher):
    return client_for(dispatcher)


def test_status_filters_and_repeats(desk, enterprise_user, dispatcher, category):
    submitted = make.filed(enterprise_user=enterprise_user, category=category)
    accepted = make.accepted(dispatcher=dispatcher, enterprise_user=enterprise_user, category=category)

    assert ids(desk, "status=submitted") == [submitted.pk]
    assert set(ids(desk, "status=submitted&status=accepted")) == {submitted.pk, accepted.pk}


def test_a_level_one_category_includes_its_children(desk, enterprise_user, category):
    other = CategoryFactory(name="用能")
    labour = make.filed(enterprise_user=enterprise_user, category=category)
    energy = make.filed(enterprise_user=enterprise_user, category=other)

    assert ids(desk, f"category={category.parent_id}") == [labour.pk]
    assert ids(desk, f"category={category.pk}") == [labour.pk]
    assert ids(desk, f"category={other.pk}") == [energy.pk]


def test_lead_unit_town_park_and_urgency_filter(
    desk, enterprise_user, dispatcher, category, unit, other_unit
):
    elsewhere = EnterpriseUserFactory(
        enterprise=EnterpriseFactory(
            town=TownFactory(code="baisha", name="白沙镇", kind="town"),
            park=ParkFactory(code="baisha_park", name="白沙工业园", town=TownFactory(code="baisha")),
        )
    )
    here = make.dispatched(
        dispatcher=dispatcher, unit=unit, enterprise_user=enterprise_user, category=category
    )
    there = make.dispatched(
        dispatcher=dispatcher, unit=other_unit, enterprise_user=elsewhere, category=category, urgency="urgent"
    )

    assert ids(desk, f"lead_unit={unit.pk}") == [here.pk]
    assert ids(desk, f"town={elsewhere.enterprise.town_id}") == [there.pk]
    assert ids(desk, f"park={elsewhere.enterprise.park_id}") == [there.pk]
    assert ids(desk, "urgency=urgent") == [there.pk]


def test_overdue_means_a_running_clock_past_its_due_time(desk, enterprise_user, dispatcher, category):
    with clock.travel_to(WORKING_DAY - timedelta(days=14)):
        late = make.filed(enterprise_user=enterprise_user, category=category)
    fresh = make.filed(enterprise_user=enterprise_user, category=category)
    with clock.travel_to(WORKING_DAY - timedelta(days=14)):
        # Rejected on the day it came in: no clock runs, however long ago.
        done = make.filed(enterprise_user=enterprise_user, category=category)
        actions.reject_issue(issue=done, actor=dispatcher, reason="属于司法诉讼事项，不予受理。")

    assert ids(desk, "overdue=true") == [late.pk]
    assert set(ids(desk, "overdue=false")) == {fresh.pk, done.pk}


def test_due_before_and_after_look_at_the_soonest_running_clock(desk, enterprise_user, category):
    with clock.travel_to(WORKING_DAY - timedelta(days=7)):
        earlier = make.filed(enterprise_user=enterprise_user, category=category)
    later = make.filed(enterprise_user=enterprise_user, category=category)
    cut = "2026-03-03T00:00:00%2B08:00"

    assert ids(desk, f"due_before={cut}") == [earlier.pk]
    assert ids(desk, f"due_after={cut}") == [later.pk]


def test_created_range_is_half_open(desk, enterprise_user, category):
    with clock.travel_to(WORKING_DAY - timedelta(days=1)):
        monday = make.filed(enterprise_user=enterprise_user, category=category)
    tuesday = make.filed(enterprise_user=enterprise_user, category=category)

    assert ids(desk, "created_after=2026-03-03T00:00:00%2B08:00") == [tuesday.pk]
    assert ids(desk, "created_before=2026-03-03T00:00:00%2B08:00") == [monday.pk]


@pytest.mark.parametrize(
    ("query", "match"),
    [("焊工", "welders"), ("增容", "power"), ("渝丰", "power"), ("江记酒庄", "welders")],
)
def test_search_looks_in_title_description_and_enterprise_name(query, match, desk, enterprise_user, category):
    power_company = EnterpriseUserFactory(enterprise=EnterpriseFactory(name="重庆渝丰电力设备有限公司"))
    found = {
        "welders": make.filed(
            enterprise_user=enterprise_user, category=category, title="招工难，急需焊工30名"
        ),
        "power": make.filed(
            enterprise_user=power_company, category=category, title="用电问题", description="新产线需增容"
        ),
    }

    assert ids(desk, f"search={query}") == [found[match].pk]


def test_search_by_uscc_matches_the_code_however_it_is_typed(desk, enterprise_user, category, enterprise):
    issue = make.filed(enterprise_user=enterprise_user, category=category)
    typed = " ".join([enterprise.uscc[:6], enterprise.uscc[6:12].lower(), enterprise.uscc[12:]])

    assert ids(desk, f"search={typed}") == [issue.pk]


def test_ordering_by_due_time_puts_the_soonest_first_and_issues_without_a_clock_last(
    desk, enterprise_user, dispatcher, category
):
    closed = make.filed(enterprise_user=enterprise_user, category=category)
    actions.reject_issue(issue=closed, actor=dispatcher, reason="属于诉讼事项")
    with clock.travel_to(WORKING_DAY + timedelta(days=1)):
        later = make.filed(enterprise_user=enterprise_user, category=category)
    sooner = make.filed(enterprise_user=enterprise_user, category=category)

    assert ids(desk, "ordering=due_at") == [sooner.pk, later.pk, closed.pk]
    assert ids(desk, "ordering=-due_at") == [later.pk, sooner.pk, closed.pk]
    assert ids(desk, "ordering=created_at")[-1] == later.pk
    assert ids(desk)[0] == later.pk


@pytest.mark.parametrize("ordering", ["-created_at", "created_at", "due_at", "-due_at"])
def test_the_cursor_walks_every_issue_once_in_every_ordering(
    ordering, desk, enterprise_user, dispatcher, category
):
    built = set()
    for day in range(7):
        with clock.travel_to(WORKING_DAY + timedelta(hours=day * 5)):
            built.add(make.filed(enterprise_user=enterprise_user, category=category).pk)
            built.add(make.filed(enterprise_user=enterprise_user, category=category).pk)  # same instant
    seen: list[int] = []
    url = f"/api/v1/issues/?ordering={ordering}&page_size=3"
    while url:
        page = desk.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert len(seen) == len(set(seen)) == len(built)
    assert set(seen) == built


def test_the_unit_inbox_lists_what_the_unit_must_act_on_soonest_first(
    client_for, enterprise_user, dispatcher, handler, category, other_unit
):
    with clock.travel_to(WORKING_DAY - timedelta(days=1)):
        older = make.dispatched(
            dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
        )
    newer = make.dispatched(
        dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
    )
    make.dispatched(
        dispatcher=dispatcher, unit=other_unit, enterprise_user=enterprise_user, category=category
    )
    answered = make.responded(
        dispatcher=dispatcher, handler=handler, enterprise_user=enterprise_user, category=category
    )

    rows = client_for(handler).get("/api/v1/issues/inbox/").json()["results"]

    assert [row["id"] for row in rows] == [older.pk, newer.pk]
    assert answered.pk not in [row["id"] for row in rows]
    assert client_for(dispatcher).get("/api/v1/issues/inbox/").json()["results"] == []


@pytest.mark.parametrize("page_size", [1, 2, 5])
def test_the_inbox_pages_through_the_unit_in_the_same_order_filtered_or_not(
    page_size, client_for, enterprise_user, dispatcher, handler, category
):
    for hours in (30, 5, 5, 50, 1, 20, 5):
        with clock.travel_to(WORKING_DAY - timedelta(hours=hours)):
            make.dispatched(
                dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
            )
    make.handling(dispatcher=dispatcher, handler=handler, enterprise_user=enterprise_user, category=category)
    client = client_for(handler)

    def walk(url: str) -> list[int]:
        seen: list[int] = []
        while url:
            page = client.get(url).json()
            seen += [row["id"] for row in page["results"]]
            url = page["next"]
        return seen

    plain = walk(f"/api/v1/issues/inbox/?page_size={page_size}")
    filtered = walk(f"/api/v1/issues/inbox/?page_size={page_size}&urgency=normal")
    rows = client.get("/api/v1/issues/inbox/?page_size=100").json()["results"]
    filtered_rows = client.get("/api/v1/issues/inbox/?page_size=100&urgency=normal").json()["results"]

    assert plain == filtered == [row["id"] for row in rows]
    assert rows == filtered_rows
    assert len(plain) == 8
    dues = [row["next_due_at"] for row in rows]
    assert dues == sorted(dues)


@pytest.mark.parametrize("cursor", ["x", "%%%", "bm9wZQ==", "MjAyNi0xMy0wMXwx", "w6k="])
def test_a_bad_inbox_cursor_is_a_400(cursor, client_for, handler):
    response = client_for(handler).get(f"/api/v1/issues/inbox/?cursor={cursor}")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"cursor"}
