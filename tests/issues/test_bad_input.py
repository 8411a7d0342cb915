"""What people type: bad input is refused with a message in Chinese and changes nothing; good Chinese text,
full-width punctuation and emoji are kept exactly as typed."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, NotPermitted
from services.issues import actions
from services.issues.models import Issue, IssueEvent, Outcome, Satisfaction
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

TITLE = "用电增容：新厂房10kV专线何时能通？⚡️"
DESCRIPTION = (
    "我司位于德感工业园，新建厂房预计2026年3月投产（设备已到场）。\n"
    "10kV专线报装已逾两月，仍未排期；盼供电公司尽快答复——否则将影响订单交付😣。\n"
    "联系人：周海燕（生产部）☎️"
)
EMOJI_SEQUENCES = "👨‍👩‍👧‍👦🇨🇳👍🏽1️⃣"


def file(enterprise_user, category, **kw):
    kw.setdefault("title", TITLE)
    kw.setdefault("description", DESCRIPTION)
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        return actions.file_issue(
            actor=enterprise_user, enterprise=enterprise_user.enterprise, category=category, **kw
        )


# ---------------------------------------------------------------- kept exactly


def test_chinese_text_with_full_width_punctuation_and_emoji_is_stored_unchanged(enterprise_user, category):
    issue = file(enterprise_user, category)

    stored = Issue.objects.get(pk=issue.pk)
    assert (stored.title, stored.description) == (TITLE, DESCRIPTION)


def test_emoji_sequences_joined_by_zero_width_joiners_are_kept_whole(enterprise_user, category):
    issue = file(enterprise_user, category, description=f"全家福{EMOJI_SEQUENCES}")

    assert Issue.objects.get(pk=issue.pk).description == f"全家福{EMOJI_SEQUENCES}"


def test_a_title_of_exactly_one_hundred_characters_is_accepted(enterprise_user, category):
    title = "用" * 99 + "🔥"

    issue = file(enterprise_user, category, title=title)

    assert Issue.objects.get(pk=issue.pk).title == title


def test_a_reply_with_emoji_reaches_the_history_unchanged(build, handler):
    reply = "已协调国网江津供电公司，专线将于3月10日前送电✅；如有疑问请致电023-47521234。"
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.handling()
        actions.respond_to_issue(issue=issue, actor=handler, outcome=Outcome.SOLVED, reply=reply)

    assert IssueEvent.objects.get(issue=issue, kind="respond").note == reply


def test_leading_and_trailing_blanks_are_trimmed(enterprise_user, category):
    issue = file(enterprise_user, category, title="\u3000  " + TITLE + " \n")

    assert Issue.objects.get(pk=issue.pk).title == TITLE


# ---------------------------------------------------------------- refused


def test_an_empty_title_is_refused(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="请填写标题。") as refusal:
        file(enterprise_user, category, title="")

    assert refusal.value.errors == {"title": ["请填写标题。"]}


def test_a_title_of_blanks_only_is_refused(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="请填写标题。"):
        file(enterprise_user, category, title="\u3000 \t")


def test_a_title_of_one_hundred_and_one_characters_is_refused(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="标题最多100个字，现有101个字。"):
        file(enterprise_user, category, title="用" * 101)


def test_a_description_of_five_thousand_and_one_characters_is_refused(
    enterprise_user, category, nothing_changes
):
    with nothing_changes(), pytest.raises(InvalidInput, match="问题描述最多5000个字，现有5001个字。"):
        file(enterprise_user, category, description="电" * 5001)


def test_a_description_of_five_thousand_characters_is_accepted(enterprise_user, category):
    issue = file(enterprise_user, category, description="电" * 5000)

    assert len(Issue.objects.get(pk=issue.pk).description) == 5000


def test_a_title_with_a_nul_character_is_refused_naming_it(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match=r"标题含有空字符（\\0），请删除后重试。"):
        file(enterprise_user, category, title="用电\x00增容")


def test_a_description_with_a_bell_character_is_refused(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="问题描述含有不可见的控制字符，请删除后重试。"):
        file(enterprise_user, category, description="专线报装\x07已逾两月")


def test_an_unknown_urgency_is_refused(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="紧急程度的取值无效。"):
        file(enterprise_user, category, urgency="紧急")


def test_an_unknown_complexity_is_refused(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="复杂程度的取值无效。"):
        file(enterprise_user, category, complexity="")


def test_a_contact_phone_longer_than_twenty_characters_is_refused(enterprise_user, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="联系电话最多20个字，现有21个字。"):
        file(enterprise_user, category, contact_phone="023-4752123412345678x")


def test_an_unknown_satisfaction_is_refused(build, enterprise_user, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.responded()

    with nothing_changes(), pytest.raises(InvalidInput, match="满意度的取值无效。"):
        actions.evaluate_issue(
            issue=issue, actor=enterprise_user, satisfaction="很满意", was_contacted=True, was_solved=True
        )


def test_a_handler_of_the_wrong_unit_is_refused_in_chinese(build, other_handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.handling()

    with nothing_changes(), pytest.raises(NotPermitted, match="只有牵头单位的经办人或负责人可以进行此操作。"):
        actions.respond_to_issue(issue=issue, actor=other_handler, outcome=Outcome.SOLVED, reply="已办结")


def test_a_rating_comment_over_two_thousand_characters_is_refused(build, enterprise_user, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.responded()

    with nothing_changes(), pytest.raises(InvalidInput, match="评价意见最多2000个字，现有2001个字。"):
        actions.evaluate_issue(
            issue=issue,
            actor=enterprise_user,
            satisfaction=Satisfaction.SATISFIED,
            was_contacted=True,
            was_solved=True,
            comment="好" * 2001,
        )
