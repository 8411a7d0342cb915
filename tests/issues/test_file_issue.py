"""提交: an enterprise files a problem; its specialist or a dispatcher may file on its behalf."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import Channel, Stage
from tests.factories import AssignmentFactory, EnterpriseFactory, SpecialistFactory
from tests.issues.state import end_of, event_kinds, running_clock, shanghai

pytestmark = pytest.mark.django_db

TITLE = "招工难：急需焊工30名（含夜班）！🔥"
DESCRIPTION = "今年订单增长四成，车间缺焊工；已在“江津就业”公众号发布招聘，应者寥寥……😞\n盼协调👷‍♀️👷‍♂️"


def file(actor, enterprise, category, **kw):
    kw.setdefault("title", TITLE)
    kw.setdefault("description", DESCRIPTION)
    return actions.file_issue(actor=actor, enterprise=enterprise, category=category, **kw)


def test_an_enterprise_user_files_a_problem_that_waits_to_be_accepted(enterprise_user, enterprise, category):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = file(enterprise_user, enterprise, category)

    issue.refresh_from_db()
    assert (issue.status, issue.channel, issue.filed_by, issue.created_at) == (
        Status.SUBMITTED,
        Channel.ONLINE,
        enterprise_user,
        shanghai(2026, 3, 2, 10),
    )
    assert event_kinds(issue) == ["submit"]


def test_the_title_and_description_are_stored_exactly_as_typed(enterprise_user, enterprise, category):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = file(enterprise_user, enterprise, category)

    issue.refresh_from_db()
    assert (issue.title, issue.description) == (TITLE, DESCRIPTION)


def test_the_first_number_of_a_year_is_one_and_the_next_follows(enterprise_user, enterprise, category):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        first = file(enterprise_user, enterprise, category)
        second = file(enterprise_user, enterprise, category)

    assert (first.number, second.number) == ("JJ2026-00001", "JJ2026-00002")


def test_numbering_restarts_on_new_years_day_in_shanghai_not_in_utc(enterprise_user, enterprise, category):
    with clock.travel_to(shanghai(2025, 12, 31, 23, 50)):
        old_year = file(enterprise_user, enterprise, category)
    with clock.travel_to(shanghai(2026, 1, 1, 0, 10)):  # still 2025-12-31 in UTC
        new_year = file(enterprise_user, enterprise, category)

    assert (old_year.number, new_year.number) == ("JJ2025-00001", "JJ2026-00001")


def test_the_accept_clock_counts_one_working_day_and_a_make_up_saturday_counts(
    enterprise_user, enterprise, category
):
    # Friday 2026-02-13; Saturday 2026-02-14 is a make-up working day before the Spring Festival break.
    with clock.travel_to(shanghai(2026, 2, 13, 16)):
        issue = file(enterprise_user, enterprise, category)

    accept = running_clock(issue, Stage.ACCEPT)
    assert (accept.started_at, accept.due_at, accept.counts_hours) == (
        shanghai(2026, 2, 13, 16),
        end_of(2026, 2, 14),
        False,
    )


def test_a_problem_filed_during_the_national_day_break_is_due_to_be_accepted_after_it(
    enterprise_user, enterprise, category
):
    with clock.travel_to(shanghai(2025, 10, 3, 11)):
        issue = file(enterprise_user, enterprise, category)

    assert running_clock(issue, Stage.ACCEPT).due_at == end_of(2025, 10, 9)


def test_contact_details_default_to_those_of_the_enterprise(enterprise_user, enterprise, category):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = file(enterprise_user, enterprise, category)

    assert (issue.contact_name, issue.contact_phone) == (enterprise.contact_name, enterprise.contact_phone)


def test_the_serving_specialist_files_on_behalf_of_the_enterprise(specialist, enterprise, category):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = file(specialist, enterprise, category)

    issue.refresh_from_db()
    assert (issue.status, issue.channel, issue.filed_by) == (Status.SUBMITTED, Channel.ON_BEHALF, specialist)


def test_a_dispatcher_files_a_problem_taken_by_phone(dispatcher, enterprise, category):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = file(dispatcher, enterprise, category, contact_name="周海燕", contact_phone="023-47521234")

    issue.refresh_from_db()
    assert (issue.status, issue.channel, issue.filed_by, issue.contact_phone) == (
        Status.SUBMITTED,
        Channel.PHONE,
        dispatcher,
        "023-47521234",
    )


def test_a_specialist_cannot_file_for_an_enterprise_he_does_not_serve(specialist, category, nothing_changes):
    elsewhere = EnterpriseFactory(name="重庆珞璜建材有限公司")
    AssignmentFactory(enterprise=elsewhere, specialist=SpecialistFactory())

    with nothing_changes(), pytest.raises(NotPermitted, match="您不能为该企业提交诉求。"):
        file(specialist, elsewhere, category)


def test_a_user_of_another_enterprise_cannot_file_for_this_one(
    stranger, enterprise, category, nothing_changes
):
    with nothing_changes(), pytest.raises(NotPermitted, match="您不能为该企业提交诉求。"):
        file(stranger, enterprise, category)


def test_a_department_handler_cannot_file_a_problem(handler, enterprise, category, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="您不能为该企业提交诉求。"):
        file(handler, enterprise, category)


def test_a_problem_cannot_be_filed_under_a_retired_category(
    enterprise_user, enterprise, category, nothing_changes
):
    category.is_active = False
    category.save()

    with nothing_changes(), pytest.raises(InvalidInput, match="该分类已停用，请选择其他分类。"):
        file(enterprise_user, enterprise, category)


def test_an_enterprise_no_longer_trading_cannot_file(enterprise_user, enterprise, category, nothing_changes):
    enterprise.is_active = False
    enterprise.save()

    with nothing_changes(), pytest.raises(InvalidInput, match="该企业已不在营，不能提交诉求。"):
        file(enterprise_user, enterprise, category)
