"""评价: the enterprise rates the answer (满意 / 基本满意 close it; 不满意 sends it to review), and answers
"were you contacted?" and "was it solved?". The serving specialist records the rating of an enterprise
that rates by phone (电话回访)."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import ClosureKind, IssueEvent, IssueUnit, Satisfaction, Stage, StageClock
from tests.issues.state import clocks_of, shanghai

pytestmark = pytest.mark.django_db

COMMENT = "专场招聘会很及时，焊工已到岗12人，点赞👍！"


@pytest.fixture
def responded_issue(build, co_unit):
    with clock.travel_to(shanghai(2026, 2, 13, 10)):
        return build.responded(co_units=[co_unit])


def evaluate(issue, actor, satisfaction, *, comment=COMMENT, contacted=True, solved=True):
    with clock.travel_to(shanghai(2026, 2, 24, 9)):
        return actions.evaluate_issue(
            issue=issue,
            actor=actor,
            satisfaction=satisfaction,
            was_contacted=contacted,
            was_solved=solved,
            comment=comment,
        )


def test_a_satisfied_enterprise_closes_the_problem(responded_issue, enterprise_user):
    issue = evaluate(responded_issue, enterprise_user, Satisfaction.SATISFIED)

    issue.refresh_from_db()
    assert (issue.status, issue.closure_kind, issue.closed_at, issue.satisfaction) == (
        Status.CLOSED,
        ClosureKind.RATED,
        shanghai(2026, 2, 24, 9),
        Satisfaction.SATISFIED,
    )
    assert (issue.was_contacted, issue.was_solved, issue.rating_comment, issue.rated_by) == (
        True,
        True,
        COMMENT,
        enterprise_user,
    )


def test_a_basically_satisfied_enterprise_closes_the_problem_too(responded_issue, enterprise_user):
    issue = evaluate(responded_issue, enterprise_user, Satisfaction.BASIC, solved=False)

    issue.refresh_from_db()
    assert (issue.status, issue.satisfaction, issue.was_solved) == (Status.CLOSED, Satisfaction.BASIC, False)


def test_a_rating_within_the_window_meets_the_rating_clock(responded_issue, enterprise_user):
    evaluate(responded_issue, enterprise_user, Satisfaction.SATISFIED)

    [rating] = clocks_of(responded_issue, stage=Stage.RATING)
    assert (rating.met_at, rating.met_on_time) == (shanghai(2026, 2, 24, 9), True)


def test_closing_ends_every_units_part_and_leaves_no_clock_running(responded_issue, enterprise_user):
    evaluate(responded_issue, enterprise_user, Satisfaction.SATISFIED)

    assert not IssueUnit.objects.filter(issue=responded_issue, ended_at__isnull=True).exists()
    assert not StageClock.objects.filter(
        issue=responded_issue, met_at__isnull=True, stopped_at__isnull=True
    ).exists()


def test_a_dissatisfied_enterprise_sends_the_problem_to_review(responded_issue, enterprise_user):
    issue = evaluate(responded_issue, enterprise_user, Satisfaction.DISSATISFIED, comment="人员不符合要求😞")

    issue.refresh_from_db()
    assert (issue.status, issue.closure_kind, issue.closed_at, issue.rating_comment) == (
        Status.UNDER_REVIEW,
        "",
        None,
        "人员不符合要求😞",
    )
    data = IssueEvent.objects.get(issue=issue, kind="evaluate_dissatisfied").data
    assert {key: value for key, value in data.items() if key != "clocks"} == {
        "satisfaction": "dissatisfied",
        "contacted": True,
        "solved": True,
        "by_phone": False,
    }


def test_dissatisfaction_must_be_explained(responded_issue, enterprise_user, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="选择不满意时，请说明不满意的原因。"):
        evaluate(responded_issue, enterprise_user, Satisfaction.DISSATISFIED, comment="   ")


def test_the_serving_specialist_records_a_rating_taken_by_phone(responded_issue, enterprise, specialist):
    enterprise.rates_by_phone = True
    enterprise.save()

    issue = evaluate(responded_issue, specialist, Satisfaction.SATISFIED)

    issue.refresh_from_db()
    assert (issue.status, issue.rated_by) == (Status.CLOSED, specialist)
    assert IssueEvent.objects.get(issue=issue, kind="evaluate").data["by_phone"] is True


def test_the_specialist_cannot_rate_for_an_enterprise_that_rates_online(
    responded_issue, specialist, nothing_changes
):
    with (
        nothing_changes(),
        pytest.raises(
            NotPermitted, match="该企业在线评价；只有设为电话回访评价的企业，才由服务专员代为录入评价。"
        ),
    ):
        evaluate(responded_issue, specialist, Satisfaction.SATISFIED)


def test_a_user_of_another_enterprise_cannot_rate(responded_issue, stranger, nothing_changes):
    with (
        nothing_changes(),
        pytest.raises(NotPermitted, match="只有提出诉求的企业或其服务专员（电话回访）可以评价。"),
    ):
        evaluate(responded_issue, stranger, Satisfaction.SATISFIED)


def test_the_unit_cannot_rate_its_own_answer(responded_issue, handler, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="可以评价"):
        evaluate(responded_issue, handler, Satisfaction.SATISFIED)


def test_a_problem_cannot_be_rated_before_it_is_answered(build, enterprise_user, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 13, 10)):
        issue = build.handling()

    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“办理中”，不能进行“评价”操作。"),
    ):
        evaluate(issue, enterprise_user, Satisfaction.SATISFIED)


def test_an_unknown_satisfaction_is_refused(responded_issue, enterprise_user, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="满意度的取值无效。"):
        evaluate(responded_issue, enterprise_user, "very_satisfied")
