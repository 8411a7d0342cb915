"""/api/v1/calendar/…: everyone reads which days are working days; only administrators edit the calendar."""

import datetime as dt

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.workcalendar.calendar import add_working_days
from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind
from tests.api.roles import ROLES, SIGNED_IN
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

DAYS = "/api/v1/calendar/days/"
OVERRIDES = "/api/v1/calendar/overrides/"
YEARS = "/api/v1/calendar/years/"
REFUSAL = {"code": "not_permitted", "message": "只有系统管理员可以维护工作日历。", "fields": {}}


def calendar_state() -> tuple:
    return (
        list(CalendarOverride.objects.order_by("pk").values()),
        list(CalendarYear.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )


@pytest.fixture
def override(db):
    """Jiangjin declared 3 June 2027 (a Thursday) a local holiday."""
    return CalendarOverride.objects.create(date=dt.date(2027, 6, 3), kind=DayKind.HOLIDAY, name="端午节")


@pytest.fixture
def entered_year(db):
    return CalendarYear.objects.create(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知")


# ---------------------------------------------------------------- the permission matrix: reading


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_may_ask_which_days_are_working_days(role, caller):
    response = caller(role).get(DAYS, {"start": "2026-02-14", "end": "2026-02-28"})

    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("what", ["override list", "override", "year list", "year"])
def test_every_signed_in_role_may_read_the_overrides_and_entered_years(
    role, what, caller, override, entered_year
):
    url = {
        "override list": OVERRIDES,
        "override": f"{OVERRIDES}{override.pk}/",
        "year list": YEARS,
        "year": f"{YEARS}2027/",
    }[what]

    assert caller(role).get(url).status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_a_missing_override_or_year_is_not_found(role, caller):
    assert caller(role).get(f"{OVERRIDES}987654321/").status_code == 404
    assert caller(role).get(f"{YEARS}2099/").status_code == 404
    assert caller(role).get(f"{YEARS}99999999999999999999/").status_code == 404


# ---------------------------------------------------------------- the permission matrix: writing


def _writes(override, entered_year) -> dict:
    return {
        "add an override": (
            "post",
            OVERRIDES,
            {"date": "2027-06-04", "kind": "holiday", "name": "端午节"},
            201,
        ),
        "replace an override": (
            "put",
            f"{OVERRIDES}{override.pk}/",
            {"date": "2027-06-03", "kind": "workday", "name": "调休上班"},
            200,
        ),
        "change an override": ("patch", f"{OVERRIDES}{override.pk}/", {"note": "区政府决定🎉"}, 200),
        "remove an override": ("delete", f"{OVERRIDES}{override.pk}/", None, 204),
        "enter a year": (
            "post",
            YEARS,
            {"year": 2028, "notice": "国务院办公厅关于2028年部分节假日安排的通知"},
            201,
        ),
        "replace a year": ("put", f"{YEARS}2027/", {"notice": "更正后的通知", "note": ""}, 200),
        "change a year": ("patch", f"{YEARS}2027/", {"note": "已核对✅"}, 200),
        "remove a year": ("delete", f"{YEARS}2027/", None, 204),
    }


WRITES = [
    "add an override",
    "replace an override",
    "change an override",
    "remove an override",
    "enter a year",
    "replace a year",
    "change a year",
    "remove a year",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES)
def test_only_an_administrator_may_edit_the_calendar_and_a_refusal_changes_nothing(
    role, write, caller, override, entered_year
):
    method, url, body, success = _writes(override, entered_year)[write]
    before = calendar_state()

    response = getattr(caller(role), method)(url, body, format="json")

    if role == "administrator":
        assert response.status_code == success
        assert calendar_state() != before
        return
    assert response.status_code == (401 if role == "anonymous" else 403)
    if role != "anonymous":
        assert response.json() == REFUSAL
    assert calendar_state() == before


def test_the_refusal_is_english_for_an_english_client(caller):
    response = caller("leader").post(
        OVERRIDES, {"date": "2027-06-04", "kind": "holiday"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    assert response.json()["message"] == "Only a system administrator can maintain the work calendar."


def test_a_refusal_comes_before_the_body_is_read(caller):
    response = caller("dispatcher").post(OVERRIDES, {"date": "不是日期", "kind": "?"}, format="json")

    assert response.json() == REFUSAL


@pytest.mark.parametrize("role", SIGNED_IN)
def test_editing_a_missing_override_is_not_found_for_everyone(role, caller):
    response = caller(role).patch(f"{OVERRIDES}987654321/", {"name": "春节"}, format="json")

    assert response.status_code == 404


def test_an_administrator_role_without_superuser_status_may_edit(client_for):
    operator = AdminFactory(is_superuser=False, display_name="徐运维")

    response = client_for(operator).post(OVERRIDES, {"date": "2027-01-01", "kind": "holiday"}, format="json")

    assert response.status_code == 201


def test_a_deactivated_administrator_may_not_edit(client_for, administrator):
    administrator.is_active = False
    administrator.save(update_fields=["is_active"])

    response = client_for(administrator).post(
        OVERRIDES, {"date": "2027-01-01", "kind": "holiday"}, format="json"
    )

    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()


# ---------------------------------------------------------------- days


def test_the_spring_festival_2026_comes_from_the_state_council(caller):
    body = caller("enterprise_user").get(DAYS, {"start": "2026-02-13", "end": "2026-02-24"}).json()

    days = {row["date"]: row for row in body["days"]}
    assert days["2026-02-14"] == {
        "date": "2026-02-14",
        "weekday": 6,
        "is_working_day": True,
        "source": "state_council",
        "source_label": "国务院节假日安排",
        "name": "调休上班",  # a make-up Saturday is named for what it is, not for the festival (issue #11)
    }
    assert days["2026-02-16"]["is_working_day"] is False
    assert days["2026-02-16"]["name"] == "春节"
    assert body["working_days"] == 3  # Fri 13th, the make-up Sat 14th, Tue 24th
    assert body["warnings"] == []
    assert len(body["days"]) == 12


def test_an_uncovered_year_falls_back_to_monday_to_friday_with_a_warning(caller):
    body = caller("handler").get(DAYS, {"start": "2027-01-01", "end": "2027-01-07"}).json()

    assert {row["source"] for row in body["days"]} == {"fallback"}
    assert body["days"][0]["is_working_day"] is True  # 1 January 2027 is a Friday; nobody has said otherwise
    assert body["working_days"] == 5
    assert body["warnings"] == [
        "2027年的法定节假日安排尚未录入，按周一至周五计算工作日，请管理员在“工作日历”中录入当年节假日和调休安排。"
    ]


def test_a_range_across_new_year_warns_only_for_the_uncovered_year(caller):
    body = caller("leader").get(DAYS, {"start": "2026-12-30", "end": "2027-01-02"}).json()

    assert [row["source"] for row in body["days"]] == [
        "state_council",
        "state_council",
        "fallback",
        "fallback",
    ]
    assert len(body["warnings"]) == 1
    assert body["warnings"][0].startswith("2027年")


def test_an_administrators_override_takes_precedence_and_is_marked_as_such(caller):
    caller("administrator").post(
        OVERRIDES, {"date": "2026-03-04", "kind": "holiday", "name": "区庆🎆"}, format="json"
    )

    (day,) = caller("specialist").get(DAYS, {"start": "2026-03-04", "end": "2026-03-04"}).json()["days"]

    assert day["source"] == "override"
    assert day["source_label"] == "管理员设定"
    assert day["is_working_day"] is False
    assert day["name"] == "区庆🎆"


def test_an_override_entered_through_the_api_moves_deadlines_at_once(caller):
    assert add_working_days(dt.date(2026, 3, 3), 1) == dt.date(2026, 3, 4)

    caller("administrator").post(OVERRIDES, {"date": "2026-03-04", "kind": "holiday"}, format="json")

    assert add_working_days(dt.date(2026, 3, 3), 1) == dt.date(2026, 3, 5)


def test_entering_a_year_silences_its_warning(caller):
    caller("administrator").post(
        YEARS, {"year": 2027, "notice": "国务院办公厅关于2027年部分节假日安排的通知"}, format="json"
    )

    body = caller("dispatcher").get(DAYS, {"start": "2027-03-01", "end": "2027-03-07"}).json()

    assert body["warnings"] == []


def test_366_days_is_the_most_that_may_be_asked_at_once(caller):
    client = caller("dispatcher")

    assert client.get(DAYS, {"start": "2026-01-01", "end": "2027-01-01"}).status_code == 200
    assert client.get(DAYS, {"start": "2026-01-01", "end": "2027-01-02"}).status_code == 400


def test_a_whole_leap_year_may_be_asked_at_once(caller):
    body = caller("dispatcher").get(DAYS, {"start": "2024-01-01", "end": "2024-12-31"}).json()

    assert len(body["days"]) == 366
    assert body["working_days"] == sum(row["is_working_day"] for row in body["days"])


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "0001-12-31"), ("9999-01-01", "9999-12-31")])
def test_the_first_and_last_years_of_the_calendar_are_answered(start, end, caller):
    response = caller("dispatcher").get(DAYS, {"start": start, "end": end})

    assert response.status_code == 200
    assert len(response.json()["days"]) == 365
    assert len(response.json()["warnings"]) == 1


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-01-01", "end": "2027-01-02"}, "end", "一次最多查询366天。"),
        ({"start": "2026-03-03", "end": "2026-03-02"}, "end", "结束日期不能早于起始日期。"),
        ({"end": "2026-03-02"}, "start", "该字段是必填项。"),
        ({"start": "2026-02-30", "end": "2026-03-02"}, "start", None),
        ({"start": "明天", "end": "后天"}, "start", None),
        ({"start": "10000-01-01", "end": "10000-01-02"}, "start", None),
        ({"start": "2026-03-01\x00", "end": "2026-03-02"}, "start", None),
    ],
)
def test_a_bad_range_is_a_400_in_chinese(query, field, message, caller):
    response = caller("handler").get(DAYS, query)

    assert response.status_code == 400
    body = response.json()
    assert field in body["fields"]
    if message:
        assert body["fields"][field] == [message]


def test_a_bad_range_is_explained_in_english_to_an_english_client(caller):
    client = caller("handler")

    missing = client.get(DAYS, {"start": "2026-03-02"}, HTTP_ACCEPT_LANGUAGE="en")
    too_long = client.get(DAYS, {"start": "2026-01-01", "end": "2027-12-31"}, HTTP_ACCEPT_LANGUAGE="en")

    assert missing.json()["fields"] == {"end": ["This field is required."]}
    assert too_long.json()["fields"] == {"end": ["At most 366 days can be queried at a time."]}


def test_the_days_speak_english_to_an_english_client(caller):
    body = (
        caller("handler")
        .get(DAYS, {"start": "2026-02-16", "end": "2026-02-16"}, HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )

    assert body["days"][0]["source_label"] == "State Council holiday schedule"
    assert body["days"][0]["name"] == "Spring Festival"


def test_asking_for_a_year_costs_as_few_queries_as_asking_for_a_day(caller, django_assert_max_num_queries):
    for day in range(1, 29):
        CalendarOverride.objects.create(date=dt.date(2027, 2, day), kind=DayKind.HOLIDAY)
    with CaptureQueriesContext(connection) as one_day:
        caller("handler").get(DAYS, {"start": "2027-02-01", "end": "2027-02-01"})

    with django_assert_max_num_queries(2):
        response = caller("handler").get(DAYS, {"start": "2026-06-01", "end": "2027-05-31"})

    assert response.json()["working_days"] < 250
    assert len(one_day) == 2


# ---------------------------------------------------------------- editing overrides


def test_an_override_is_shown_with_its_meaning(caller, override):
    body = caller("enterprise_user").get(f"{OVERRIDES}{override.pk}/").json()

    assert body["date"] == "2027-06-03"
    assert body["kind"] == "holiday"
    assert body["kind_label"] == "休息日（节假日）"
    assert body["is_working_day"] is False
    assert body["name"] == "端午节"


def test_the_administrators_edits_leave_the_admin_history(caller, administrator):
    client = caller("administrator")

    created = client.post(
        OVERRIDES, {"date": "2027-10-08", "kind": "workday", "name": "国庆调休"}, format="json"
    ).json()
    client.patch(f"{OVERRIDES}{created['id']}/", {"name": "国庆节调休上班"}, format="json")
    client.delete(f"{OVERRIDES}{created['id']}/")

    history = LogEntry.objects.filter(object_id=str(created["id"])).order_by("pk")
    assert [(e.user_id, e.action_flag) for e in history] == [
        (administrator.pk, ADDITION),
        (administrator.pk, CHANGE),
        (administrator.pk, DELETION),
    ]
    assert history[1].get_change_message() == "已修改名称。"


def test_a_second_override_for_the_same_date_is_refused(caller, override):
    response = caller("administrator").post(
        OVERRIDES, {"date": "2027-06-03", "kind": "workday"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"date": ["2027-06-03已有节假日或调休安排，请修改原记录。"]}
    assert CalendarOverride.objects.count() == 1


def test_moving_an_override_onto_another_ones_date_is_refused(caller, override):
    other = CalendarOverride.objects.create(date=dt.date(2027, 6, 4), kind=DayKind.HOLIDAY)

    response = caller("administrator").patch(f"{OVERRIDES}{other.pk}/", {"date": "2027-06-03"}, format="json")

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.date == dt.date(2027, 6, 4)


def test_a_patch_changes_only_what_it_names(caller, override):
    response = caller("administrator").patch(f"{OVERRIDES}{override.pk}/", {"kind": "workday"}, format="json")

    assert response.status_code == 200
    override.refresh_from_db()
    assert (override.kind, override.name, override.date) == ("workday", "端午节", dt.date(2027, 6, 3))


def test_a_patch_that_changes_nothing_leaves_no_history(caller, override):
    caller("administrator").patch(f"{OVERRIDES}{override.pk}/", {"name": "端午节"}, format="json")

    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2027-06-31", "kind": "holiday"}, "date"),
        ({"date": "2027-06-05", "kind": "休息"}, "kind"),
        ({"date": "2027-06-05"}, "kind"),
        ({"date": "2027-06-05", "kind": "holiday", "name": "节" * 51}, "name"),
        ({"date": "2027-06-05", "kind": "holiday", "name": "春\u0007节"}, "name"),
        ({"date": "2027-06-05", "kind": "holiday", "note": "注" * 2001}, "note"),
        ({"date": ["2027-06-05"], "kind": "holiday"}, "date"),
    ],
)
def test_a_bad_override_is_a_400_naming_the_field(body, field, caller):
    response = caller("administrator").post(OVERRIDES, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not CalendarOverride.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_bad_kind_is_explained_in_english_to_an_english_client(caller):
    response = caller("administrator").post(
        OVERRIDES, {"date": "2027-06-05", "kind": "party"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()["fields"] == {"kind": ['"party" is not a valid choice.']}


def test_overrides_filter_by_year_and_kind(caller, override):
    CalendarOverride.objects.create(date=dt.date(2027, 9, 26), kind=DayKind.WORKDAY, name="国庆调休")
    CalendarOverride.objects.create(date=dt.date(2028, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    client = caller("dispatcher")

    in_2027 = client.get(OVERRIDES, {"year": 2027}).json()["results"]
    workdays = client.get(OVERRIDES, {"kind": "workday"}).json()["results"]

    assert [row["date"] for row in in_2027] == ["2027-06-03", "2027-09-26"]
    assert [row["name"] for row in workdays] == ["国庆调休"]


@pytest.mark.parametrize("query", [{"year": "明年"}, {"year": "0"}, {"year": "2027.5"}, {"kind": "周末"}])
def test_a_bad_override_filter_is_a_400(query, caller, override):
    response = caller("dispatcher").get(OVERRIDES, query)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(query)


def test_the_override_list_costs_the_same_queries_for_one_or_fifty(
    caller, override, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        caller("dispatcher").get(OVERRIDES)
    for day in range(1, 50):
        CalendarOverride.objects.create(
            date=dt.date(2028, 1, 1) + dt.timedelta(days=day), kind=DayKind.HOLIDAY
        )

    with django_assert_max_num_queries(2):
        response = caller("dispatcher").get(OVERRIDES, {"page_size": 100})

    assert response.json()["count"] == 50
    assert len(few) == 2


def test_an_override_detail_costs_one_query(caller, override, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert caller("leader").get(f"{OVERRIDES}{override.pk}/").status_code == 200


# ---------------------------------------------------------------- entered years


def test_a_year_is_entered_once(caller, entered_year):
    response = caller("administrator").post(YEARS, {"year": 2027}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"year": ["2027年已录入，请修改原记录。"]}


@pytest.mark.parametrize("year", [0, -1, 10000, "二〇二七", 2**70, 2027.5])
def test_a_year_outside_the_calendar_is_refused(year, caller):
    response = caller("administrator").post(YEARS, {"year": year}, format="json")

    assert response.status_code == 400
    assert "year" in response.json()["fields"]
    assert not CalendarYear.objects.exists()


def test_a_years_number_does_not_change(caller, entered_year):
    response = caller("administrator").patch(
        f"{YEARS}2027/", {"year": 2030, "note": "核对完毕"}, format="json"
    )

    assert response.status_code == 200
    entered_year.refresh_from_db()
    assert (entered_year.year, entered_year.note) == (2027, "核对完毕")


def test_removing_a_year_brings_its_warning_back(caller, entered_year):
    caller("administrator").delete(f"{YEARS}2027/")

    body = caller("dispatcher").get(DAYS, {"start": "2027-03-01", "end": "2027-03-01"}).json()

    assert len(body["warnings"]) == 1


def test_the_years_list_costs_the_same_queries_for_one_or_thirty(
    caller, entered_year, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        caller("dispatcher").get(YEARS)
    for year in range(2030, 2059):
        CalendarYear.objects.create(year=year)

    with django_assert_max_num_queries(2):
        response = caller("dispatcher").get(YEARS)

    assert response.json()["count"] == 30
    assert response.json()["results"][0]["year"] == 2058
    assert len(few) == 2


def test_a_year_detail_costs_one_query(caller, entered_year, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert (
            caller("leader").get(f"{YEARS}2027/").json()["notice"]
            == "国务院办公厅关于2027年部分节假日安排的通知"
        )
