"""统一社会信用代码 (Unified Social Credit Code), GB 32100-2015.

18 characters from the code set below; each character's value is its index; the 18th is a check character
computed from the first 17 with weights 3^(i-1) mod 31. Positions 1–8 are not required to be digits (the
registration-authority codes A, N and Y exist) and the administrative-division code is not required to be
current (500381 is Jiangjin's former code, 500116 the present one).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CODE_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_SEPARATORS = re.compile(r"[\s\-‐‑–—－_]+")


def normalise(raw: str) -> str:
    """Upper-case, full-width to half-width, spaces and dashes removed."""
    half_width = "".join(chr(ord(ch) - 0xFEE0) if "！" <= ch <= "～" else ch for ch in raw or "")
    return _SEPARATORS.sub("", half_width).upper()


def check_character(first_17: str) -> str:
    total = sum(CODE_SET.index(ch) * weight for ch, weight in zip(first_17, WEIGHTS, strict=True))
    return CODE_SET[(31 - total % 31) % 31]


def validate_uscc(raw: str) -> str:
    """Return the normalised code, or raise ValidationError saying exactly what is wrong."""
    code = normalise(raw)
    if not code:
        raise ValidationError(_("请填写统一社会信用代码。"), code="uscc_required")
    if len(code) != LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为18位，现在是%(count)d位。") % {"count": len(code)},
            code="uscc_length",
        )
    for position, ch in enumerate(code, start=1):
        if ch not in CODE_SET:
            raise ValidationError(
                _("统一社会信用代码第%(position)d位“%(char)s”不是有效字符（不使用 I、O、S、V、Z）。")
                % {"position": position, "char": ch},
                code="uscc_character",
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为“%(expected)s”，现在是“%(actual)s”，请核对前17位。")
            % {"expected": expected, "actual": code[17]},
            code="uscc_check",
        )
    return code


def is_valid_uscc(raw: str) -> bool:
    try:
        validate_uscc(raw)
    except ValidationError:
        return False
    return True
