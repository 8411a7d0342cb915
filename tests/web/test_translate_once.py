"""``translate_once`` renders exactly what Django's ``{% translate %}`` renders, in each language."""

import pytest
from django.template import engines
from django.utils import translation

CASES = [
    '{% translate "消息中心" %}',
    '{% translate "基本信息" as heading %}[{{ heading }}]',
    '{% translate "完成率 100%" %}',
    '{% translate "<b>加粗</b>" %}',
    "{% translate '答复与评价' %}",
    '{% translate "消息中心" noop %}',
    "{% translate word %}",
    '{% translate "消息中心"|upper %}',
    '{% translate "May" context "month name" %}',
    '{% autoescape off %}{% translate "<b>加粗</b>" %}{% endautoescape %}',
]


def _render(source: str, libraries: str) -> str:
    return engines["django"].from_string("{% load " + libraries + " %}" + source).render({"word": "已超期"})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("source", CASES)
def test_the_output_equals_djangos_translate(source, language):
    with translation.override(language):
        assert _render(source, "i18n translate_once") == _render(source, "i18n")


def test_one_template_follows_the_language_of_each_render():
    template = engines["django"].from_string('{% load i18n translate_once %}{% translate "消息中心" %}')

    with translation.override("zh-hans"):
        chinese = template.render({})
    with translation.override("en"):
        english = template.render({})

    assert (chinese, english) == ("消息中心", "Messages")
