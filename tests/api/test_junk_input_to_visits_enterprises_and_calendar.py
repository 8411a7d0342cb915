"""No input reaches a server error: junk query strings and JSON bodies thrown at the visits, enterprises,
units, categories, notifications and calendar endpoints are answered with 2xx or 4xx, never 5xx."""

import datetime as dt

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

FUZZ = settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))

text = st.text(max_size=30)
junk = st.one_of(
    text,
    st.integers(min_value=-(2**80), max_value=2**80),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.one_of(st.integers(), text), max_size=3),
    st.dictionaries(text, text, max_size=2),
)

QUERIES = {
    "/api/v1/enterprises/": [
        "search",
        "town",
        "park",
        "above_scale",
        "ladder",
        "is_active",
        "cursor",
        "page_size",
    ],
    "/api/v1/visits/": [
        "enterprise",
        "specialist",
        "method",
        "visited_from",
        "visited_to",
        "cursor",
        "page_size",
    ],
    "/api/v1/units/": ["kind", "search", "page", "page_size"],
    "/api/v1/categories/": ["page", "page_size"],
    "/api/v1/notifications/": ["unread", "cursor", "page_size"],
    "/api/v1/calendar/days/": ["start", "end"],
    "/api/v1/calendar/overrides/": ["year", "kind", "page"],
    "/api/v1/calendar/years/": ["page"],
}

BODIES = {
    "/api/v1/visits/": (
        "specialist",
        ["enterprise", "visited_at", "method", "people_met", "companions", "orders", "problems"],
    ),
    "/api/v1/enterprises/": (
        "administrator",
        ["name", "uscc", "town", "park", "ladder", "mujun_grade", "contact_email", "is_above_scale"],
    ),
    "/api/v1/calendar/overrides/": ("administrator", ["date", "kind", "name", "note"]),
    "/api/v1/calendar/years/": ("administrator", ["year", "notice", "note"]),
}


def _pick(data, names: list[str], values) -> dict:
    return {
        name: data.draw(values)
        for name in data.draw(st.lists(st.sampled_from(names), max_size=5, unique=True))
    }


@FUZZ
@given(path=st.sampled_from(sorted(QUERIES)), data=st.data())
def test_no_query_string_to_my_lists_gets_a_server_error(path, data, caller, enterprise, specialist):
    query = _pick(data, QUERIES[path], text)

    for role in ("dispatcher", "specialist"):
        response = caller(role).get(path, query)
        assert response.status_code < 500, (path, query)


@FUZZ
@given(path=st.sampled_from(sorted(BODIES)), data=st.data())
def test_no_body_posted_to_visits_enterprises_or_calendar_gets_a_server_error(
    path, data, caller, enterprise, specialist, category
):
    cache.clear()  # each example starts with fresh throttles, so the filing limit never hides an answer
    role, fields = BODIES[path]
    body = _pick(data, fields, junk)
    if path == "/api/v1/visits/" and data.draw(st.booleans()):
        # Often a valid visit, so the problems found get past the first checks.
        body.update({"enterprise": enterprise.pk, "visited_at": "2026-03-01T10:00:00+08:00"})
        body["problems"] = [
            {
                "category": category.pk,
                "title": data.draw(junk),
                "description": data.draw(junk),
                "urgency": data.draw(junk),
            }
        ]

    response = caller(role).post(path, body, format="json")

    assert response.status_code < 500, (path, body)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_change_sent_to_the_calendar_gets_a_server_error(data, caller):
    override, _ = CalendarOverride.objects.get_or_create(
        date=dt.date(2027, 6, 3), defaults={"kind": DayKind.HOLIDAY}
    )
    CalendarYear.objects.get_or_create(year=2027)
    body = _pick(data, ["date", "kind", "name", "note", "notice", "year"], junk)

    for url in (f"/api/v1/calendar/overrides/{override.pk}/", "/api/v1/calendar/years/2027/"):
        for method in ("patch", "put"):
            response = getattr(caller("administrator"), method)(url, body, format="json")
            assert response.status_code < 500, (method, url, body)
