"""Refusals and validation messages follow the active language: English under override("en"), Chinese by default."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, override

from services.core.errors import InvalidInput, InvalidTransition
from services.core.text import clean_text
from services.enterprises.uscc import validate_uscc
from services.issues import actions, lifecycle
from services.issues.lifecycle import Status
from tests.factories import uscc_for
from tests.i18n.test_catalogue import HAN


def refusal(transition, status) -> str:
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.ensure_allowed(transition, status)
    return refused.value.message


def test_a_wrong_state_refusal_is_english_under_english():
    with override("en"):
        message = refusal(lifecycle.ACCEPT, Status.CLOSED)

    assert message == "“Acceptance” is not possible while the issue is “Closed”."


def test_a_wrong_state_refusal_is_chinese_by_default():
    assert refusal(lifecycle.ACCEPT, Status.CLOSED) == "当前状态为“已办结”，不能进行“受理”操作。"


@pytest.mark.parametrize("transition", lifecycle.TRANSITIONS, ids=lambda t: t.name)
def test_every_transition_and_status_name_in_a_refusal_is_english(transition):
    status = next(s for s in Status if not lifecycle.is_allowed(transition, s))

    with override("en"):
        message = refusal(transition, status)

    assert not HAN.search(message), message


def test_an_empty_required_text_is_refused_in_english():
    with override("en"), pytest.raises(InvalidInput) as refused:
        clean_text("   ", field="title", label=gettext("标题"), max_length=10)

    assert refused.value.errors == {"title": ["Title is required."]}


def test_an_empty_required_text_is_refused_in_chinese_by_default():
    with pytest.raises(InvalidInput) as refused:
        clean_text("   ", field="title", label=gettext("标题"), max_length=10)

    assert refused.value.errors == {"title": ["请填写标题。"]}


def test_a_too_long_text_keeps_its_numbers_in_english():
    with override("en"), pytest.raises(InvalidInput) as refused:
        clean_text("招工难招工难", field="title", label=gettext("标题"), max_length=5)

    assert refused.value.message == "Title can be at most 5 characters long (currently 6)."


def test_an_action_refuses_in_the_language_active_when_it_runs(enterprise_user, category):
    with override("en"), pytest.raises(InvalidInput) as refused:
        actions.file_issue(
            actor=enterprise_user,
            enterprise=enterprise_user.enterprise,
            category=category,
            title="",
            description="车间缺焊工。",
        )

    assert refused.value.errors == {"title": ["Title is required."]}


def uscc_error(raw: str) -> str:
    with pytest.raises(ValidationError) as refused:
        validate_uscc(raw)
    return refused.value.messages[0]


def test_a_short_uscc_is_refused_in_english():
    with override("en"):
        message = uscc_error("915001160000")

    assert message == "The Unified Social Credit Code must be 18 characters long (characters entered: 12)."


def test_a_short_uscc_is_refused_in_chinese_by_default():
    assert uscc_error("915001160000") == "统一社会信用代码应为18位，现在是12位。"


@pytest.mark.parametrize(
    ("raw", "english"),
    [
        ("", "Please enter the Unified Social Credit Code (USCC)."),
        (
            "91500116000000001I",
            "Character 18 of the Unified Social Credit Code, “I”, is not valid (I, O, S, V and Z are not used).",
        ),
    ],
    ids=["empty", "invalid-character"],
)
def test_uscc_refusals_are_english_under_english(raw, english):
    with override("en"):
        assert uscc_error(raw) == english


def test_a_wrong_uscc_check_character_is_refused_in_english():
    valid = uscc_for(1)
    wrong = "0" if valid[-1] != "0" else "1"

    with override("en"):
        message = uscc_error(valid[:17] + wrong)

    assert message == (
        "The Unified Social Credit Code's check character is wrong: the 18th character should be "
        f"“{valid[-1]}” but is “{wrong}”. Please check the first 17 characters."
    )
