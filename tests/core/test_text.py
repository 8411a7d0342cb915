"""clean_text: what every free-text field accepts — required, bounded, no control characters, kept as typed."""

import unicodedata

import pytest

from services.core.errors import InvalidInput
from services.core.text import clean_text


def clean(value, **kw):
    kw.setdefault("field", "title")
    kw.setdefault("label", "标题")
    kw.setdefault("max_length", 10)
    return clean_text(value, **kw)


def test_chinese_text_with_full_width_punctuation_and_emoji_is_returned_unchanged():
    assert clean("“招工难”！？🔥", max_length=100) == "“招工难”！？🔥"


def test_blanks_around_the_text_are_trimmed_including_the_ideographic_space():
    assert clean("\u3000 招工难 \n") == "招工难"


def test_line_breaks_and_tabs_inside_the_text_are_kept():
    assert clean("第一行\n第二行\r\n\t第三行", max_length=100) == "第一行\n第二行\r\n\t第三行"


def test_text_is_stored_in_composed_form():
    decomposed = unicodedata.normalize("NFD", "Café")

    assert clean(decomposed) == "Café"


def test_a_required_field_left_empty_asks_to_be_filled_in():
    with pytest.raises(InvalidInput) as refusal:
        clean("")

    assert refusal.value.errors == {"title": ["请填写标题。"]}


def test_none_counts_as_empty():
    with pytest.raises(InvalidInput, match="请填写标题。"):
        clean(None)


def test_an_optional_field_may_be_left_empty():
    assert clean("  ", required=False) == ""


def test_text_of_exactly_the_limit_is_accepted():
    assert clean("一二三四五六七八九十") == "一二三四五六七八九十"


def test_text_over_the_limit_says_the_limit_and_the_count():
    with pytest.raises(InvalidInput, match="标题最多10个字，现有11个字。"):
        clean("一二三四五六七八九十一")


def test_the_limit_counts_characters_not_bytes():
    assert clean("🔥" * 10) == "🔥" * 10


@pytest.mark.parametrize("control", ["\x07", "\x0b", "\x1b", "\x7f", "\x9b"])
def test_a_control_character_inside_the_text_is_refused(control):
    with pytest.raises(InvalidInput, match="标题含有不可见的控制字符，请删除后重试。"):
        clean(f"招工{control}难")


def test_a_control_character_is_refused_even_in_an_optional_field():
    with pytest.raises(InvalidInput, match="备注含有不可见的控制字符"):
        clean("\x1b", field="note", label="备注", required=False)


def test_a_zero_width_joiner_inside_an_emoji_is_not_a_control_character():
    family = "👨\u200d👩\u200d👧"

    assert clean(family) == family


def test_a_nul_character_is_named_for_what_it_is():
    with pytest.raises(InvalidInput) as refusal:
        clean("招工\x00难")

    assert refusal.value.errors == {"title": ["标题含有空字符（\\0），请删除后重试。"]}


@pytest.mark.parametrize(
    "override", ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_a_character_that_turns_the_text_around_is_refused(override):
    with pytest.raises(InvalidInput, match="标题含有改变文字方向的隐藏字符，请删除后重试。"):
        clean(f"退款{override}申请")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad"])
def test_an_invisible_character_is_removed(invisible):
    assert clean(f"招{invisible}工难") == "招工难"


def test_a_zero_width_joiner_between_chinese_characters_is_removed():
    assert clean("招\u200d工难") == "招工难"


def test_a_title_made_only_of_invisible_characters_counts_as_empty():
    with pytest.raises(InvalidInput, match="请填写标题。"):
        clean("\u200b\ufeff\u200b")


def test_invisible_characters_do_not_count_towards_the_limit():
    assert clean("一二三四五\u200b六七八九十") == "一二三四五六七八九十"
