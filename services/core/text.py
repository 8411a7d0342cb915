"""Checks on free text that users type: required, bounded, and without hidden characters.

- Control characters (NUL, escape, …) are refused; NUL gets a message of its own, since it is the usual
  sign of a broken client rather than a typing slip.
- Characters that change the direction of the text (bidirectional embeddings, overrides and isolates, the
  "Trojan Source" characters) are refused: they make a title read differently from what is stored.
- Invisible characters with no meaning in our texts (zero-width space, word joiner, byte-order mark,
  direction marks, soft hyphen) are removed. The zero-width joiner stays where it joins emoji (👨‍👩‍👧).
"""

import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.core.errors import InvalidInput

# What DRF's null-character check says, in our words (the exception handler puts it in place of DRF's).
NUL_MESSAGE = gettext_lazy("不能含有空字符（\\0，常见于复制或程序出错），请删除后重试。")

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u200c\u200e\u200f\u2060\ufeff\u00ad\u061c\u180e")
ZERO_WIDTH_JOINER = "\u200d"


def _joins_emoji(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return (
        bool(before and after)
        and unicodedata.category(after) == "So"
        and (unicodedata.category(before) in {"So", "Sk", "Mn", "Me"})
    )


def strip_invisible(text: str) -> str:
    """Removes the invisible characters that carry no meaning (see the module's docstring)."""
    if not any(ch in INVISIBLE or ch == ZERO_WIDTH_JOINER for ch in text):
        return text
    kept = []
    for index, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        if ch == ZERO_WIDTH_JOINER and not _joins_emoji(text, index):
            continue
        kept.append(ch)
    return "".join(kept)


def clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = strip_invisible(unicodedata.normalize("NFC", value or "")).strip()
    if "\x00" in text:
        raise InvalidInput({field: [_("%(label)s含有空字符（\\0），请删除后重试。") % {"label": label}]})
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text):
        raise InvalidInput({field: [_("%(label)s含有不可见的控制字符，请删除后重试。") % {"label": label}]})
    if any(ch in BIDI_CONTROLS for ch in text):
        raise InvalidInput(
            {field: [_("%(label)s含有改变文字方向的隐藏字符，请删除后重试。") % {"label": label}]}
        )
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
