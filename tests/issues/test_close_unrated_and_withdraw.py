"""Two ways a problem ends without a rating: the rating window passes (closed as unrated, never counted as
satisfied), or the enterprise withdraws it before it is answered (撤回)."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import ClosureKind, IssueEvent, IssueUnit, Stage, StageClock
from tests.issues.state import clocks_of, end_of, shanghai

pytestmark = pytest.mark.django_db

WITHDRAWAL = "已与供电公司自行协商解决，撤回诉求。"


@pytest.fixture
def responded_issue(build):
    # Answered Friday 2026-02-13: the rating window (3 working days) ends 2026-02-25 23:59:59.
    with clock.travel_to(shanghai(2026, 2, 13, 10)):
        return build.responded()


# ---------------------------------------------------------------- closed as unrated


def test_the_rating_window_ends_three_working_days_after_the_answer(responded_issue):
    [rating] = clocks_of(responded_issue, stage=Stage.RATING)

    assert rating.due_at == end_of(2026, 2, 25)


def test_a_problem_still_in_its_rating_window_is_not_closed(responded_issue, nothing_changes):
    with (
        clock.travel_to(end_of(2026, 2, 25)),
        nothing_changes(),
        pytest.raises(InvalidTransition, match="评价期限尚未届满。"),
    ):
        actions.close_unrated_issue(issue=responded_issue)


def test_a_problem_nobody_rated_in_time_closes_as_unrated(responded_issue):
    with clock.travel_to(shanghai(2026, 2, 26, 0, 0)):
        issue = actions.close_unrated_issue(issue=responded_issue)

    issue.refresh_from_db()
    assert (issue.status, issue.closure_kind, issue.closed_at) == (
        Status.CLOSED,
        ClosureKind.UNRATED,
        shanghai(2026, 2, 26, 0, 0),
    )
    event = IssueEvent.objects.get(issue=issue, kind="close_unrated")
    assert (event.actor, event.from_status, event.to_status) == (None, Status.RESPONDED, Status.CLOSED)


def test_an_unrated_closure_records_no_satisfaction(responded_issue):
    with clock.travel_to(shanghai(2026, 2, 26, 0, 0)):
        issue = actions.close_unrated_issue(issue=responded_issue)

    issue.refresh_from_db()
    assert (issue.satisfaction, issue.rated_at, issue.rated_by, issue.was_contacted, issue.was_solved) == (
        "",
        None,
        None,
        None,
        None,
    )


def test_the_rating_clock_of_an_unrated_problem_is_stopped_not_met(responded_issue):
    with clock.travel_to(shanghai(2026, 2, 26, 0, 0)):
        actions.close_unrated_issue(issue=responded_issue)

    [rating] = clocks_of(responded_issue, stage=Stage.RATING)
    assert (rating.met_at, rating.stopped_at) == (None, shanghai(2026, 2, 26, 0, 0))
    assert not StageClock.objects.filter(
        issue=responded_issue, met_at__isnull=True, stopped_at__isnull=True
    ).exists()


def test_a_problem_not_yet_answered_is_not_closed_as_unrated(build, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 13, 10)):
        issue = build.handling()

    with (
        clock.travel_to(shanghai(2026, 3, 30, 9)),
        nothing_changes(),
        pytest.raises(InvalidTransition, match="不能进行“超期未评价办结”操作"),
    ):
        actions.close_unrated_issue(issue=issue)


# ---------------------------------------------------------------- withdrawn


def test_the_enterprise_withdraws_a_problem_not_yet_accepted(build, enterprise_user):
    with clock.travel_to(shanghai(2026, 2, 13, 10)):
        issue = build.filed()
        issue = actions.withdraw_issue(issue=issue, actor=enterprise_user, reason=WITHDRAWAL)

    issue.refresh_from_db()
    assert (issue.status, issue.closure_reason) == (Status.WITHDRAWN, WITHDRAWAL)
    assert [(c.stage, c.stopped_at) for c in clocks_of(issue)] == [(Stage.ACCEPT, shanghai(2026, 2, 13, 10))]


def test_withdrawing_a_problem_in_hand_stops_the_units_clocks_and_ends_its_part(build, enterprise_user, unit):
    with clock.travel_to(shanghai(2026, 2, 12, 10)):
        issue = build.handling()
    with clock.travel_to(shanghai(2026, 2, 13, 10)):
        actions.withdraw_issue(issue=issue, actor=enterprise_user, reason=WITHDRAWAL)

    assert {c.stopped_at for c in clocks_of(issue, unit=unit, met_at__isnull=True)} == {
        shanghai(2026, 2, 13, 10)
    }
    assert IssueUnit.objects.get(issue=issue, unit=unit).end_reason == "withdrawn"


def test_a_problem_cannot_be_withdrawn_once_answered(responded_issue, enterprise_user, nothing_changes):
    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“已答复待评价”，不能进行“撤回”操作。"),
    ):
        actions.withdraw_issue(issue=responded_issue, actor=enterprise_user, reason=WITHDRAWAL)


def test_the_unit_cannot_withdraw_the_enterprises_problem(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 12, 10)):
        issue = build.handling()

    with nothing_changes(), pytest.raises(NotPermitted, match="只有提出诉求的企业可以进行此操作。"):
        actions.withdraw_issue(issue=issue, actor=handler, reason=WITHDRAWAL)


def test_another_enterprise_cannot_withdraw_the_problem(build, stranger, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 12, 10)):
        issue = build.filed()

    with nothing_changes(), pytest.raises(NotPermitted, match="只有提出诉求的企业可以进行此操作。"):
        actions.withdraw_issue(issue=issue, actor=stranger, reason=WITHDRAWAL)


def test_a_withdrawal_needs_a_reason(build, enterprise_user, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 12, 10)):
        issue = build.filed()

    with nothing_changes(), pytest.raises(InvalidInput, match="请填写撤回原因。"):
        actions.withdraw_issue(issue=issue, actor=enterprise_user, reason="")
