"""答复: the lead unit answers, with an outcome; the enterprise then has 3 working days to rate."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import IssueEvent, IssueUnit, Outcome, Stage
from tests.issues.state import clocks_of, end_of, running_clock, shanghai

pytestmark = pytest.mark.django_db

REPLY = "经协调，区就业服务中心已推送焊工简历42份，并将于2月24日（节后首个工作日）举办专场招聘会。🙂"


@pytest.fixture
def handling_issue(build):
    with clock.travel_to(shanghai(2026, 2, 9, 9)):
        return build.handling()


ANSWERED_AT = shanghai(2026, 2, 13, 10)


def respond(issue, actor, *, at=ANSWERED_AT, outcome=Outcome.SOLVED, reply=REPLY):
    with clock.travel_to(at):
        return actions.respond_to_issue(issue=issue, actor=actor, outcome=outcome, reply=reply)


def test_the_lead_unit_answers_and_the_problem_waits_for_a_rating(handling_issue, handler):
    issue = respond(handling_issue, handler, outcome=Outcome.PARTLY)

    issue.refresh_from_db()
    assert (issue.status, issue.outcome, issue.response, issue.responded_at) == (
        Status.RESPONDED,
        Outcome.PARTLY,
        REPLY,
        shanghai(2026, 2, 13, 10),
    )
    assert IssueEvent.objects.get(issue=issue, kind="respond").data["outcome"] == "partly"


def test_answering_meets_the_answer_clock(handling_issue, handler, unit):
    respond(handling_issue, handler)

    [answer] = clocks_of(handling_issue, stage=Stage.ANSWER, unit=unit)
    assert (answer.met_at, answer.met_on_time) == (shanghai(2026, 2, 13, 10), True)


def test_an_answer_without_a_recorded_contact_counts_as_the_first_contact(handling_issue, handler, unit):
    respond(handling_issue, handler)

    assert IssueUnit.objects.get(issue=handling_issue, unit=unit).first_contact_at == shanghai(
        2026, 2, 13, 10
    )
    [contact] = clocks_of(handling_issue, stage=Stage.FIRST_CONTACT, unit=unit)
    assert contact.met_at == shanghai(2026, 2, 13, 10)


def test_the_rating_window_skips_the_spring_festival(handling_issue, handler):
    # Friday 2026-02-13: Sat Feb 14 is a make-up day, Feb 15–23 are off, then Feb 24 and 25.
    respond(handling_issue, handler)

    rating = running_clock(handling_issue, Stage.RATING)
    assert (rating.started_at, rating.due_at) == (shanghai(2026, 2, 13, 10), end_of(2026, 2, 25))


def test_another_unit_cannot_answer(handling_issue, other_handler, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有牵头单位的经办人或负责人可以进行此操作。"):
        respond(handling_issue, other_handler)


def test_a_problem_cannot_be_answered_before_it_is_signed_for(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 9, 9)):
        issue = build.dispatched()

    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“待签收”，不能进行“答复”操作。"),
    ):
        respond(issue, handler)


def test_an_answer_needs_text(handling_issue, handler, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="请填写答复内容。"):
        respond(handling_issue, handler, reply="\n  \n")


def test_an_unknown_outcome_is_refused(handling_issue, handler, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="答复结果的取值无效。"):
        respond(handling_issue, handler, outcome="done")
