"""The figures of DESIGN §6, each against its definition in ``services.reports.figures``.

Issues are driven through the real actions at real dates. March 2025: Monday the 3rd is a working day; a
problem dispatched then must be signed for by Tuesday the 4th (23:59:59), first contacted by Wednesday the
5th and answered by Monday the 10th; an answer given on Wednesday the 5th must be rated by Monday the 10th.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate

from services.core import clock
from services.issues.models import IssuePolicy, Satisfaction
from services.reports.figures import compute
from services.visits.coverage import Period
from services.visits.models import Method
from services.workcalendar.calendar import working_days_between
from services.workcalendar.models import CalendarOverride, DayKind
from tests.factories import (
    AssignmentFactory,
    CategoryFactory,
    EnterpriseFactory,
    EnterpriseUserFactory,
    HandlerFactory,
    ParkFactory,
    SpecialistFactory,
    TownFactory,
    UnitFactory,
    VisitFactory,
)
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = pytest.mark.django_db

MON = shanghai(2025, 3, 3, 9)
TUE = shanghai(2025, 3, 4, 9)
WED = shanghai(2025, 3, 5, 10)
THU = shanghai(2025, 3, 6, 10)
FRI = shanghai(2025, 3, 7, 10)
NEXT_WED = shanghai(2025, 3, 12, 10)
AFTER_2025 = shanghai(2026, 1, 6, 10)  # 2025 is over: its figures are final


@pytest.fixture
def desk(enterprise_user, dispatcher, handler, category):
    return Desk(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)


def figures_of(period=2025, *, at=AFTER_2025, **kw):
    with clock.travel_to(at):
        return compute(period, **kw)


def values(report, *keys):
    return tuple(report.value(key) for key in keys)


def rate(numerator, denominator):
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


# ---------------------------------------------------------------- nothing yet


def test_a_year_without_data_counts_zero_and_has_no_rates():
    report = figures_of(2025)

    counts = ("specialists", "enterprises_served", "visits", "issues_logged", "overdue_now")
    rates = (
        "on_site_coverage",
        "sign_rate",
        "on_time_sign_rate",
        "closure_rate",
        "on_time_closure_rate",
        "follow_up_rate",
        "contact_rate",
        "solved_rate",
        "satisfaction_rate",
        "reopen_rate",
        "send_back_rate",
        "average_handling_days",
    )
    assert values(report, *counts) == (0, 0, 0, 0, 0)
    assert values(report, *rates) == (None,) * len(rates)
    assert report.is_final
    assert report.sentence() == "0名专员对0家规上工业企业进行实地走访，平台录入问题0件，办结率—"


def test_a_year_still_running_is_judged_as_of_now_and_says_so(desk):
    desk.accepted(MON)

    report = figures_of(2025, at=shanghai(2025, 6, 2, 10))

    assert not report.is_final
    assert report.as_of == shanghai(2025, 6, 2, 10)
    assert "统计期尚未结束" in report.warnings[0]


def test_a_year_the_holiday_calendar_does_not_know_carries_the_calendars_warning():
    report = figures_of(2030, at=shanghai(2031, 1, 6, 10))

    assert report.warnings == [
        "2030年的法定节假日安排尚未录入，按周一至周五计算工作日，请管理员在“工作日历”中录入当年节假日和调休安排。"
    ]


# ---------------------------------------------------------------- issues logged and closure


def test_issues_logged_counts_those_filed_in_the_year_and_leaves_out_merged_duplicates(desk):
    kept = desk.file(MON)
    duplicate = desk.file(TUE)
    desk.merge(duplicate, kept, WED)
    desk.file(shanghai(2024, 12, 31, 23, 30))
    desk.file(shanghai(2026, 1, 1, 0, 30))

    assert figures_of(2025).value("issues_logged") == 1


def test_any_period_can_be_asked_for_not_only_a_year(desk):
    desk.file(MON)
    desk.file(shanghai(2025, 4, 1, 9))

    report = figures_of(Period.quarter(2025, 1))

    assert report.value("issues_logged") == 1
    assert report.period == Period(dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_closure_rate_is_closed_over_accepted_and_a_withdrawn_issue_leaves_the_base(desk):
    desk.closed(MON, answered=WED, rated=THU)
    desk.handling(MON)
    withdrawn = desk.accepted(MON)
    desk.withdraw(withdrawn, TUE)
    desk.file(MON)  # never accepted

    closure = figures_of(2025).figures["closure_rate"]

    assert (closure.numerator, closure.denominator, closure.value) == (1, 2, Decimal("0.5000"))


def test_an_issue_accepted_in_december_and_closed_in_january_is_open_in_its_year(desk):
    day = shanghai(2025, 12, 29, 9)
    issue = desk.responded(day, answered=shanghai(2025, 12, 30, 10))
    desk.evaluate(issue, shanghai(2026, 1, 5, 10))

    assert figures_of(2025).value("closure_rate") == Decimal("0")
    assert figures_of(2025).value("on_time_closure_rate") is None  # closed in 2026, not in 2025
    assert figures_of(2026, at=shanghai(2026, 6, 1, 10)).figures["on_time_closure_rate"].denominator == 1


# ---------------------------------------------------------------- signing for and sending back


def test_sign_rates_count_signed_and_signed_on_time_over_dispatched(desk):
    on_time = desk.dispatched(MON)
    desk.acknowledge(on_time, TUE)
    late = desk.dispatched(MON)
    desk.acknowledge(late, WED)
    desk.dispatched(MON)  # never signed for

    report = figures_of(2025)

    assert values(report, "sign_rate", "on_time_sign_rate") == (rate(2, 3), rate(1, 3))


def test_a_problem_sent_back_in_time_is_not_a_failure_to_sign_and_counts_as_sent_back(desk, other_handler):
    sent_back = desk.dispatched(MON)
    sent_back = desk.send_back(sent_back, shanghai(2025, 3, 3, 15))
    sent_back = desk.transfer(sent_back, TUE, unit=other_handler.unit)
    desk.acknowledge(sent_back, THU, handler=other_handler)  # the second unit signs a day late

    report = figures_of(2025)

    sign = report.figures["sign_rate"]
    assert (sign.numerator, sign.denominator) == (1, 1)
    assert report.value("on_time_sign_rate") == Decimal("0")
    send_back = report.figures["send_back_rate"]
    assert (send_back.numerator, send_back.denominator, send_back.value) == (1, 2, Decimal("0.5000"))


def test_a_dispatch_left_unsigned_past_its_due_time_counts_against_the_unit_even_if_transferred(
    desk, other_unit
):
    issue = desk.dispatched(MON)
    desk.transfer(issue, THU, unit=other_unit)

    sign = figures_of(2025).figures["sign_rate"]

    assert (sign.numerator, sign.denominator) == (0, 2)


# ---------------------------------------------------------------- on-time closure


def test_an_answer_within_an_approved_extension_closes_on_time(desk):
    issue = desk.handling(MON)
    desk.extend(issue, asked=WED, decided=THU, working_days=3)  # due Monday 10th → Thursday 13th
    issue = desk.respond(issue, NEXT_WED)
    desk.evaluate(issue, shanghai(2025, 3, 13, 10))

    assert figures_of(2025).value("on_time_closure_rate") == Decimal("1")


def test_an_answer_after_its_due_time_makes_the_closure_late(desk):
    desk.closed(MON, answered=NEXT_WED, rated=shanghai(2025, 3, 13, 10))
    desk.closed(MON, answered=WED, rated=THU)

    assert figures_of(2025).value("on_time_closure_rate") == Decimal("0.5")


def test_the_final_answer_decides_after_a_reopen(desk):
    late_then_on_time = desk.responded(MON, answered=NEXT_WED)  # due Monday 10th: late
    late_then_on_time = desk.evaluate(
        late_then_on_time, shanghai(2025, 3, 13, 10), satisfaction=Satisfaction.DISSATISFIED
    )
    late_then_on_time = desk.reopen(late_then_on_time, shanghai(2025, 3, 14, 10))
    late_then_on_time = desk.respond(late_then_on_time, shanghai(2025, 3, 17, 10))  # the new round's time
    desk.evaluate(late_then_on_time, shanghai(2025, 3, 18, 10))
    on_time_then_late = desk.responded(MON, answered=WED)
    on_time_then_late = desk.evaluate(on_time_then_late, THU, satisfaction=Satisfaction.DISSATISFIED)
    on_time_then_late = desk.reopen(on_time_then_late, FRI)  # answer due 5 working days later: 14th
    on_time_then_late = desk.respond(on_time_then_late, shanghai(2025, 3, 20, 10))
    desk.evaluate(on_time_then_late, shanghai(2025, 3, 21, 10))

    report = figures_of(2025)

    on_time = report.figures["on_time_closure_rate"]
    assert (on_time.numerator, on_time.denominator) == (1, 2)
    assert report.value("reopen_rate") == Decimal("1")


def test_an_extension_approved_after_the_due_time_leaves_the_breach_standing(desk):
    issue = desk.handling(MON)  # answer due Monday 10th
    # Asked in time, but decided on Tuesday 11th, after the due time: the new due time (13th) does not count.
    desk.extend(issue, asked=WED, decided=shanghai(2025, 3, 11, 9), working_days=3)
    issue = desk.respond(issue, NEXT_WED)
    desk.evaluate(issue, shanghai(2025, 3, 13, 10))
    in_time = desk.handling(MON)
    desk.extend(in_time, asked=WED, decided=THU, working_days=3)
    in_time = desk.respond(in_time, NEXT_WED)
    desk.evaluate(in_time, shanghai(2025, 3, 13, 10))

    on_time = figures_of(2025).figures["on_time_closure_rate"]

    assert (on_time.numerator, on_time.denominator, on_time.value) == (1, 2, Decimal("0.5"))


# ---------------------------------------------------------------- follow-up and satisfaction


def test_an_unrated_closure_counts_as_closed_but_neither_rated_nor_satisfied(desk):
    unrated = desk.responded(MON, answered=WED)
    desk.close_unrated(unrated, shanghai(2025, 3, 11, 9))
    desk.closed(MON, answered=WED, rated=THU)

    report = figures_of(2025)

    assert values(report, "closure_rate", "follow_up_rate", "satisfaction_rate") == (
        Decimal("1"),
        Decimal("0.5"),
        Decimal("1"),
    )
    assert report.figures["satisfaction_rate"].denominator == 1


def test_basically_satisfied_counts_as_the_policy_factor(desk):
    desk.closed(MON, answered=WED, rated=THU, satisfaction=Satisfaction.SATISFIED)
    desk.closed(MON, answered=WED, rated=THU, satisfaction=Satisfaction.BASIC)

    assert figures_of(2025).value("satisfaction_rate") == Decimal("0.95")  # (1 + 0.9 × 1) ÷ 2

    IssuePolicy.objects.filter(pk=1).update(basic_satisfaction_factor=Decimal("0.60"))

    assert figures_of(2025).value("satisfaction_rate") == Decimal("0.8")  # (1 + 0.6 × 1) ÷ 2


def test_a_dissatisfied_rating_closed_by_review_is_rated_and_not_satisfied(desk):
    issue = desk.responded(MON, answered=WED)
    issue = desk.evaluate(issue, THU, satisfaction=Satisfaction.DISSATISFIED)
    desk.review_close(issue, FRI)
    desk.closed(MON, answered=WED, rated=THU)

    report = figures_of(2025)

    assert values(report, "follow_up_rate", "satisfaction_rate", "reopen_rate") == (
        Decimal("1"),
        Decimal("0.5"),
        Decimal("0"),
    )


def test_contact_and_solved_rates_are_taken_over_rated_issues(desk):
    for contacted, solved in ((True, True), (True, False), (False, False), (True, True)):
        issue = desk.responded(MON, answered=WED)
        desk.evaluate(issue, THU, satisfaction=Satisfaction.BASIC, contacted=contacted, solved=solved)
    desk.close_unrated(desk.responded(MON, answered=WED), shanghai(2025, 3, 11, 9))

    report = figures_of(2025)

    assert values(report, "contact_rate", "solved_rate") == (Decimal("0.75"), Decimal("0.5"))
    assert report.figures["contact_rate"].denominator == 4


def test_first_satisfaction_keeps_the_dissatisfied_rating_that_led_to_a_reopen(desk):
    reopened = desk.responded(MON, answered=WED)
    reopened = desk.evaluate(reopened, THU, satisfaction=Satisfaction.DISSATISFIED)
    reopened = desk.reopen(reopened, FRI)
    reopened = desk.respond(reopened, shanghai(2025, 3, 10, 10))
    desk.evaluate(reopened, shanghai(2025, 3, 11, 10), satisfaction=Satisfaction.SATISFIED)
    desk.closed(MON, answered=WED, rated=THU, satisfaction=Satisfaction.SATISFIED)
    desk.closed(MON, answered=WED, rated=THU, satisfaction=Satisfaction.BASIC)

    report = figures_of(2025)

    final, first = report.figures["satisfaction_rate"], report.figures["first_satisfaction_rate"]
    # Final ratings: satisfied, satisfied, basically satisfied → (2 + 0.9) ÷ 3.
    assert (final.parts, final.value) == ({"satisfied": 2, "basic": 1, "rated": 3}, Decimal("0.9667"))
    # First ratings: dissatisfied, satisfied, basically satisfied → (1 + 0.9) ÷ 3.
    assert first.parts == {"first_satisfied": 1, "first_basic": 1, "first_rated": 3}
    assert first.value == Decimal("0.6333")


def test_an_issue_closed_unrated_has_no_first_rating(desk):
    desk.close_unrated(desk.responded(MON, answered=WED), shanghai(2025, 3, 11, 9))
    desk.closed(MON, answered=WED, rated=THU, satisfaction=Satisfaction.BASIC)

    first = figures_of(2025).figures["first_satisfaction_rate"]

    assert (first.numerator, first.denominator, first.value) == (Decimal("0.9"), 1, Decimal("0.9"))


# ---------------------------------------------------------------- handling time


def test_handling_time_is_split_into_the_units_answer_and_the_whole_way_to_closure(desk):
    desk.closed(MON, answered=WED, rated=FRI)  # accepted Mar 3: answered after 2 working days, closed after 4
    desk.closed(MON, answered=THU, rated=THU)  # answered and closed after 3 working days

    report = figures_of(2025)

    answer, handling = report.figures["average_answer_days"], report.figures["average_handling_days"]
    assert (answer.numerator, answer.denominator, answer.value) == (5, 2, Decimal("2.5"))
    assert (handling.numerator, handling.denominator, handling.value) == (7, 2, Decimal("3.5"))


def test_average_handling_days_counts_working_days_after_acceptance_up_to_closure(desk):
    desk.closed(MON, answered=WED, rated=THU)  # Mar 3 → Mar 6: 3 working days
    # Accepted Wednesday 30 April, closed Friday 9 May: the Labour Day break (1–5 May) does not count.
    desk.closed(shanghai(2025, 4, 30, 9), answered=shanghai(2025, 5, 7, 10), rated=shanghai(2025, 5, 9, 10))
    desk.closed(FRI, answered=shanghai(2025, 3, 7, 15), rated=shanghai(2025, 3, 7, 16))  # same day: 0

    average = figures_of(2025).figures["average_handling_days"]

    assert (average.numerator, average.denominator, average.value) == (7, 3, Decimal("2.33"))


def test_average_handling_days_agrees_with_the_calendar_including_administrators_overrides(desk):
    CalendarOverride.objects.create(date=dt.date(2025, 5, 8), kind=DayKind.HOLIDAY, name="停电检修")
    CalendarOverride.objects.create(date=dt.date(2025, 5, 10), kind=DayKind.WORKDAY, name="补班")
    spans = [
        (shanghai(2025, 4, 28, 9), shanghai(2025, 5, 6, 10), shanghai(2025, 5, 12, 10)),
        (shanghai(2025, 5, 6, 9), shanghai(2025, 5, 9, 10), shanghai(2025, 5, 11, 10)),
        (shanghai(2025, 9, 29, 9), shanghai(2025, 10, 9, 10), shanghai(2025, 10, 10, 10)),
    ]
    issues = [desk.closed(day, answered=answered, rated=rated) for day, answered, rated in spans]

    expected = sum(
        working_days_between(localdate(issue.accepted_at), localdate(issue.closed_at)) for issue in issues
    )

    assert figures_of(2025).figures["average_handling_days"].numerator == expected


# ---------------------------------------------------------------- overdue


def test_overdue_now_counts_running_clocks_past_their_due_time(desk):
    desk.dispatched(MON)  # sign due Tue, first contact due Wed: both late by Thursday
    desk.handling(MON)  # signed; first contact due Wed, late by Thursday
    desk.responded(MON, answered=WED)  # nothing running but the enterprise's rating window

    assert figures_of(2025, at=THU).value("overdue_now") == 3
    assert figures_of(2025, at=THU).value("overdue_issues_now") == 2  # the first problem has two late clocks
    assert figures_of(2025, at=TUE).value("overdue_now") == 0


def test_overdue_at_the_end_of_a_finished_year_stays_what_it_was(desk):
    late = desk.dispatched(shanghai(2025, 12, 29, 9))
    before = figures_of(2025).value("overdue_now")

    desk.acknowledge(late, shanghai(2026, 1, 7, 9))

    assert before == 2  # signing was due on the 30th, first contact on the 31st
    assert figures_of(2025, at=shanghai(2026, 2, 2, 10)).value("overdue_now") == 2


# ---------------------------------------------------------------- specialists, visits, coverage, served


def test_specialists_are_those_assigned_during_the_year(enterprise, specialist):
    AssignmentFactory(
        specialist=SpecialistFactory(),
        enterprise=EnterpriseFactory(),
        started_on=dt.date(2024, 1, 1),
        ended_on=dt.date(2025, 1, 1),  # handed over on New Year's Day: not in 2025
    )
    AssignmentFactory(
        specialist=SpecialistFactory(), enterprise=EnterpriseFactory(), started_on=dt.date(2025, 11, 1)
    )
    AssignmentFactory(
        specialist=SpecialistFactory(), enterprise=EnterpriseFactory(), started_on=dt.date(2026, 1, 1)
    )
    specialist.is_active = False  # leaving later does not rewrite 2025
    specialist.save()

    assert figures_of(2025).value("specialists") == 2


def test_visits_count_every_method_and_coverage_only_on_site(enterprise, specialist):
    other = EnterpriseFactory()
    EnterpriseFactory(is_above_scale=False)
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=MON)
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=TUE)
    VisitFactory(enterprise=other, specialist=specialist, visited_at=TUE, method=Method.PHONE)

    report = figures_of(2025)

    assert report.value("visits") == 3
    coverage = report.figures["on_site_coverage"]
    assert (coverage.numerator, coverage.denominator) == (1, 2)
    assert (report.visiting_specialists, report.visited_above_scale) == (1, 1)


def test_enterprises_served_counts_each_enterprise_once_over_visits_and_issues(desk, enterprise, specialist):
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=MON)
    desk.file(TUE)
    phoned = EnterpriseFactory()
    VisitFactory(enterprise=phoned, specialist=specialist, visited_at=TUE, method=Method.PHONE)
    filer = EnterpriseUserFactory()
    desk.file(TUE, enterprise_user=filer)
    VisitFactory(enterprise=EnterpriseFactory(), visited_at=shanghai(2024, 12, 31, 10))

    assert figures_of(2025).value("enterprises_served") == 2


# ---------------------------------------------------------------- the sentence


def test_the_sentence_comes_from_the_same_counts_as_the_figures(desk, enterprise, specialist):
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=MON)
    desk.closed(MON, answered=WED, rated=THU)
    desk.accepted(MON)
    desk.file(MON)

    report = figures_of(2025)

    assert report.sentence() == "1名专员对1家规上工业企业进行实地走访，平台录入问题3件，办结率50%"
    assert report.headline().closure_rate == report.value("closure_rate")


# ---------------------------------------------------------------- breakdowns


@pytest.fixture
def second_unit_world(db):
    """A second enterprise in another town, a second level-1 category led by a second unit."""
    town = TownFactory(code="luohuang", name="珞璜镇")
    park = ParkFactory(code="luohuang_port", name="珞璜临港产业城", town=town)
    enterprise = EnterpriseFactory(town=town, park=park)
    unit = UnitFactory(name="重庆市江津区经济和信息化委员会", short_name="区经济信息委")
    parent = CategoryFactory(name="政策兑现", default_lead_unit=unit)
    return {
        "town": town,
        "park": park,
        "enterprise_user": EnterpriseUserFactory(enterprise=enterprise),
        "unit": unit,
        "handler": HandlerFactory(unit=unit),
        "category": CategoryFactory(name="奖补资金", parent=parent, default_lead_unit=None),
        "parent": parent,
    }


def rows_of(report):
    return {row.key: row for row in report.rows}


def test_by_unit_an_issue_belongs_to_the_lead_unit_holding_it_at_the_end(desk, unit, second_unit_world):
    world = second_unit_world
    desk.closed(MON, answered=WED, rated=THU)
    moved = desk.dispatched(MON)
    desk.transfer(moved, THU, unit=world["unit"])  # after its sign deadline, unsigned
    desk.accepted(MON)  # not dispatched: no unit

    report = figures_of(2025, by="unit")

    rows = rows_of(report)
    assert set(rows) == {unit.pk, world["unit"].pk, None}
    assert list(rows)[-1] is None
    assert [rows[key].figures["closure_rate"].value for key in (unit.pk, world["unit"].pk, None)] == [
        Decimal("1"),
        Decimal("0"),
        Decimal("0"),
    ]
    assert rows[unit.pk].figures["sign_rate"].denominator == 2  # the transferred dispatch ran out unsigned
    assert rows[world["unit"].pk].figures["sign_rate"].denominator == 1
    assert rows[None].label == "未派至承办单位"
    assert rows[unit.pk].label == unit.short_name
    assert rows[unit.pk].figures["visits"].value is None  # visits belong to no unit


def test_by_category_town_and_park_rows_add_up_to_the_total(desk, category, second_unit_world):
    world = second_unit_world
    desk.closed(MON, answered=WED, rated=THU)
    desk.closed(
        MON,
        answered=WED,
        rated=THU,
        handler=world["handler"],
        enterprise_user=world["enterprise_user"],
        category=world["category"],
    )
    desk.file(TUE, enterprise_user=world["enterprise_user"], category=world["category"])

    total = figures_of(2025).value("issues_logged")
    by_category = rows_of(figures_of(2025, by="category"))
    by_town = rows_of(figures_of(2025, by="town"))
    by_park = rows_of(figures_of(2025, by="park"))

    assert total == 3
    assert {key: row.figures["issues_logged"].value for key, row in by_category.items()} == {
        category.parent_id: 1,
        world["parent"].pk: 2,
    }
    assert by_town[world["town"].pk].figures["issues_logged"].value == 2
    assert by_town[world["town"].pk].label == "珞璜镇"
    assert by_park[world["park"].pk].figures["enterprises_served"].value == 1
    assert sum(row.figures["issues_logged"].value for row in by_park.values()) == total


def test_by_month_every_month_has_a_row_and_each_cohort_goes_by_its_own_date(desk, enterprise, specialist):
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=shanghai(2025, 2, 10, 10))
    # Accepted on 31 March, closed on 2 April (Shanghai time; both are still the previous day in UTC).
    issue = desk.responded(shanghai(2025, 3, 31, 7), answered=shanghai(2025, 4, 1, 10))
    desk.evaluate(issue, shanghai(2025, 4, 2, 7))

    report = figures_of(2025, by="month")

    rows = rows_of(report)
    assert list(rows) == [f"2025-{month:02d}" for month in range(1, 13)]
    assert rows["2025-02"].figures["visits"].value == 1
    assert rows["2025-02"].figures["on_site_coverage"].numerator == 1
    assert rows["2025-02"].figures["specialists"].value == 1
    assert rows["2025-03"].figures["issues_logged"].value == 1
    assert rows["2025-03"].figures["closure_rate"].value == Decimal("1")
    assert rows["2025-04"].figures["follow_up_rate"].value == Decimal("1")
    assert rows["2025-04"].figures["issues_logged"].value == 0
    assert rows["2025-04"].figures["overdue_now"].value is None


def test_a_unit_filter_keeps_only_that_units_issues_and_dispatches(desk, unit, second_unit_world):
    world = second_unit_world
    desk.closed(MON, answered=WED, rated=THU)
    desk.closed(MON, answered=NEXT_WED, rated=shanghai(2025, 3, 13, 10), handler=world["handler"])

    mine = figures_of(2025, unit=unit)
    theirs = figures_of(2025, unit=world["unit"].pk)

    assert values(mine, "issues_logged", "on_time_closure_rate", "specialists") == (1, Decimal("1"), None)
    assert values(theirs, "issues_logged", "on_time_closure_rate") == (1, Decimal("0"))


# ---------------------------------------------------------------- a finished year does not move


def test_a_finished_years_figures_do_not_change_with_later_activity(desk, other_unit, enterprise, specialist):
    december = shanghai(2025, 12, 29, 9)
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=december)
    unsigned = desk.dispatched(december)
    signed = desk.handling(december)
    awaiting_rating = desk.responded(december, answered=shanghai(2025, 12, 30, 10))
    disliked = desk.evaluate(
        desk.responded(december, answered=shanghai(2025, 12, 30, 10)),
        shanghai(2025, 12, 31, 10),
        satisfaction=Satisfaction.DISSATISFIED,
    )
    to_withdraw = desk.accepted(december)
    to_merge = desk.file(december)
    desk.closed(MON, answered=WED, rated=THU)

    def snapshot():
        reports = [figures_of(2025, at=shanghai(2026, 3, 2, 10), by=by) for by in (None, "unit", "month")]
        return [(report.figures, report.rows, report.sentence()) for report in reports]

    before = snapshot()

    january = shanghai(2026, 1, 5, 10)
    desk.transfer(unsigned, january, unit=other_unit)
    desk.respond(signed, january)
    desk.evaluate(awaiting_rating, january, satisfaction=Satisfaction.BASIC)
    desk.reopen(disliked, january)
    desk.withdraw(to_withdraw, january)
    desk.merge(to_merge, signed, january)
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=january)

    assert snapshot() == before


# ---------------------------------------------------------------- cost


def build_year(desk, count):
    for n in range(count):
        day = MON + dt.timedelta(days=7 * (n % 30))
        if n % 3 == 0:
            desk.closed(day, answered=day + dt.timedelta(days=2), rated=day + dt.timedelta(days=3))
        elif n % 3 == 1:
            desk.handling(day)
        else:
            desk.file(day)
        VisitFactory(enterprise=desk.enterprise_user.enterprise, visited_at=day)


@pytest.mark.parametrize("by", [None, "unit", "category", "town", "park", "month"])
def test_the_number_of_queries_does_not_grow_with_the_data(desk, by, django_assert_max_num_queries):
    build_year(desk, 2)
    with CaptureQueriesContext(connection) as few:
        figures_of(2025, by=by)

    build_year(desk, 18)
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(30):
        report = figures_of(2025, by=by)

    assert report.value("issues_logged") == 20
    assert len(many) == len(few)
