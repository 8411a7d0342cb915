"""The English catalogue is complete: every entry translated, nothing fuzzy, every placeholder kept."""

import re
from collections import Counter

import polib
import pytest
from django.utils.translation import gettext, override

from tests.i18n.conftest import english_catalogue

# Placeholders as Python's % operator reads them: "%(name)s", "%(count)d", "%s"; "%%" is a literal percent.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<kind>[a-zA-Z%])"
)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def placeholders(text: str) -> Counter:
    return Counter(match.group(0) for match in PLACEHOLDER.finditer(text) if match["kind"] != "%")


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(english_catalogue()))


def test_the_header_declares_english_utf8_and_english_plurals(catalogue):
    assert catalogue.metadata["Language"] == "en"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not catalogue.metadata_is_fuzzy


def test_the_catalogue_is_not_empty(catalogue):
    assert len(catalogue) > 100


def test_no_entry_is_left_untranslated(catalogue):
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]

    assert untranslated == []


def test_no_entry_is_fuzzy(catalogue):
    # makemessages marks a guessed translation fuzzy; Django ignores it, so the English page would show Chinese.
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_every_translation_is_english(catalogue):
    still_chinese = [(entry.msgid, entry.msgstr) for entry in catalogue if HAN.search(entry.msgstr)]

    assert still_chinese == []


def test_every_placeholder_of_a_msgid_appears_in_its_translation(catalogue):
    broken = []
    for entry in catalogue:
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            if placeholders(entry.msgid) != placeholders(translation):
                broken.append((entry.linenum, entry.msgid, translation))

    assert broken == []


def test_the_compiled_catalogue_is_what_django_reads():
    with override("en"):
        assert gettext("登录") == "Log in"
        assert gettext("统一社会信用代码") == "Unified Social Credit Code (USCC)"
    assert gettext("登录") == "登录"
