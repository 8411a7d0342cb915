"""Checks on free text that users type: required, bounded, and without control characters."""

import unicodedata

from django.utils.translation import gettext as _

from services.core.errors import InvalidInput


def clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = unicodedata.normalize("NFC", value or "").strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text):
        raise InvalidInput({field: [_("%(label)s含有不可见的控制字符，请删除后重试。") % {"label": label}]})
    if required and not text:
        raise InvalidInput({field: [_("请填写%(label)s。") % {"label": label}]})
    if len(text) > max_length:
        raise InvalidInput(
            {
                field: [
                    _("%(label)s最多%(max)d个字，现有%(count)d个字。")
                    % {"label": label, "max": max_length, "count": len(text)}
                ]
            }
        )
    return text
