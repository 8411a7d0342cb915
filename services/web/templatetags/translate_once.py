"""``{% translate "literal" %}`` with its output kept per language: ``{% load i18n translate_once %}``.

Django's tag makes a lazy string and translates it on every render, about 8 µs a tag; the problem page has
some fifty of them, a tenth of its CPU. A literal message can only change with the language (and with
autoescaping, which is part of the key), so each tag translates it once per language and process. Anything
else — a variable, filters, ``noop``, a ``context`` — renders as Django renders it.
"""

from django import template
from django.template.base import Variable, render_value_in_context
from django.templatetags import i18n
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = template.Library()


class TranslateOnceNode(i18n.TranslateNode):
    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        expression = self.filter_expression
        self.literal = (
            not noop
            and message_context is None
            and not expression.filters
            and isinstance(expression.var, Variable)
            and isinstance(expression.var.literal, str)
        )
        self.outputs: dict[tuple, str] = {}

    def render(self, context):
        if not self.literal:
            return super().render(context)
        key = (get_language(), context.autoescape, context.use_l10n)
        value = self.outputs.get(key)
        if value is None:
            value = self.outputs[key] = self._translate(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _translate(self, context) -> str:
        # TranslateNode.render's own steps, without storing into ``asvar``.
        self.filter_expression.var.translate = True
        value = render_value_in_context(self.filter_expression.resolve(context), context)
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        return mark_safe(value) if is_safe else value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return TranslateOnceNode(node.filter_expression, node.noop, node.asvar, node.message_context)
