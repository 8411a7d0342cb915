"""统一社会信用代码 (GB 32100-2015), checked the way DESIGN §7 describes it."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from services.enterprises.uscc import (
    CODE_SET,
    WEIGHTS,
    check_character,
    is_valid_uscc,
    normalise,
    validate_uscc,
)

VALID = ["91110000600037341L", "9144030071526726XG", "91350100M000100Y43", "11500381009320238D"]

bodies = st.text(alphabet=CODE_SET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", VALID)
def test_each_valid_code_of_the_design_is_accepted(code):
    assert validate_uscc(code) == code


def test_the_check_character_follows_the_design_formula_written_out_by_hand():
    # 91350100M000100Y4 → values 9,1,3,5,0,1,0,0,21,0,0,0,1,0,0,30,4 (M is 21, Y is 30).
    values = [9, 1, 3, 5, 0, 1, 0, 0, 21, 0, 0, 0, 1, 0, 0, 30, 4]
    weights = [pow(3, i, 31) for i in range(17)]
    expected = CODE_SET[(31 - sum(v * w for v, w in zip(values, weights, strict=True)) % 31) % 31]

    assert (weights, expected, check_character("91350100M000100Y4")) == (list(WEIGHTS), "3", "3")


def test_the_code_set_leaves_out_i_o_s_v_and_z():
    assert (len(CODE_SET), set("IOSVZ") & set(CODE_SET)) == (31, set())


def test_lowercase_letters_are_read_as_capitals():
    assert validate_uscc("9144030071526726xg") == "9144030071526726XG"


def test_spaces_and_dashes_typed_between_groups_are_ignored():
    assert validate_uscc(" 9135-0100-M000 100Y43 ") == "91350100M000100Y43"


def test_full_width_characters_typed_with_a_chinese_keyboard_are_read_as_half_width():
    assert validate_uscc("１１５００３８１００９３２０２３８Ｄ") == "11500381009320238D"


def test_full_width_spaces_and_dashes_are_ignored():
    assert normalise("9111\u30000000－600037341ｌ") == "91110000600037341L"


def test_an_empty_code_asks_to_be_filled_in():
    with pytest.raises(ValidationError, match="请填写统一社会信用代码。"):
        validate_uscc("   ")


def test_a_code_one_character_short_says_how_long_it_is():
    with pytest.raises(ValidationError, match="统一社会信用代码应为18位，现在是17位。"):
        validate_uscc("91110000600037341")


def test_a_code_one_character_long_says_how_long_it_is():
    with pytest.raises(ValidationError, match="统一社会信用代码应为18位，现在是19位。"):
        validate_uscc("91110000600037341L0")


@pytest.mark.parametrize(
    ("code", "position", "char"),
    [
        ("911100006I0037341L", 10, "I"),
        ("O1110000600037341L", 1, "O"),
        ("91110000600037341S", 18, "S"),
        ("9111000060003V341L", 14, "V"),
        ("91110000600Z37341L", 12, "Z"),
    ],
)
def test_a_forbidden_character_is_named_with_its_position(code, position, char):
    with pytest.raises(ValidationError) as refusal:
        validate_uscc(code)

    assert refusal.value.messages == [
        f"统一社会信用代码第{position}位“{char}”不是有效字符（不使用 I、O、S、V、Z）。"
    ]


def test_a_wrong_check_character_names_the_expected_one():
    with pytest.raises(ValidationError) as refusal:
        validate_uscc("91110000600037341M")

    assert refusal.value.messages == ["统一社会信用代码校验位错误：第18位应为“L”，现在是“M”，请核对前17位。"]


def test_a_mistyped_digit_in_the_body_is_caught_by_the_check_character():
    assert is_valid_uscc("91110000600037342L") is False


@given(body=bodies)
def test_any_body_followed_by_its_check_character_is_valid(body):
    assert is_valid_uscc(body + check_character(body))


@given(body=bodies, last=st.sampled_from(CODE_SET))
def test_any_body_followed_by_another_character_is_invalid(body, last):
    assume(last != check_character(body))

    assert is_valid_uscc(body + last) is False
