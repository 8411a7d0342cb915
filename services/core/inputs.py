"""The API's rules for raw input, in one place: no input reaches a 500, no input makes one request do a
thousand queries.

- **Bodies** (``JSONParser``, the default parser): a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413;
  a number JSON cannot hold as a finite float (``1e400``, ``NaN``, ``Infinity``) and nesting deeper than
  ``MAX_JSON_DEPTH`` are 400 — before any field sees them.
- **Ids** (every ``PrimaryKeyRelatedField``, as ``install()`` sets it up): a whole number from 1 to 2⁶³−1, or
  the same written in digits. ``1.5``, ``true`` and ``"1e3"`` are refused with "wrong type"; a number out of
  range does not exist.
- **Lists** (every ``ListField``): at most ``max_length`` items (``MAX_LIST_ITEMS`` when the field names
  none), counted before any item is looked at; a list of ids is looked up in one query (``in_bulk``).

What is left over (an ``OverflowError`` or a database ``DataError`` from some value no rule foresaw) becomes
a 400 in the exception handler (``services.core.api``), never a 500.
"""

import json
import math
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, fields, parsers, relations
from rest_framework.fields import get_error_detail

from services.core.errors import ErrorCode

MAX_JSON_DEPTH = 32
MAX_LIST_ITEMS = 200
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"\s*\+?(\d{1,30})\s*")


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = ErrorCode.TOO_LARGE
    default_detail = _("请求内容过大。")


# ---------------------------------------------------------------- bodies


def _refuse_constant(name: str) -> float:
    raise ValueError(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (a linear scan, no recursion)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with limits: size (413), non-finite numbers and depth (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if limit is not None and declared and str(declared).isdigit() and int(declared) > limit:
            raise RequestTooLarge()
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(_("请求内容不是有效的 UTF-8 文本。")) from None
        if _depth_exceeds(text, MAX_JSON_DEPTH):
            raise exceptions.ParseError(
                _("JSON 嵌套超过%(depth)d层。") % {"depth": MAX_JSON_DEPTH}, code=ErrorCode.PARSE_ERROR
            )
        try:
            return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        except (ValueError, RecursionError):
            raise exceptions.ParseError(_("请求内容不是有效的 JSON，或含有超出范围的数字。")) from None


# ---------------------------------------------------------------- ids


def parse_id(value: Any) -> int | None:
    """A row id from raw input: an int (not a bool) or digits in a string; ``None`` for anything else.

    Numbers beyond the id column's range come back as they are: the caller treats them as not existing.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        match = _DIGITS.fullmatch(value)
        if match:
            return int(match.group(1))
    return None


def _has_integer_pk(field: relations.PrimaryKeyRelatedField) -> bool:
    queryset = field.get_queryset()
    return (
        field.pk_field is None
        and queryset is not None
        and queryset.model._meta.pk.get_internal_type()
        in {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField"}
    )


def _primary_key_to_internal_value(self: relations.PrimaryKeyRelatedField, data: Any):
    if not _has_integer_pk(self):
        return _original_primary_key_to_internal_value(self, data)
    pk = parse_id(data)
    if pk is None:
        self.fail("incorrect_type", data_type=type(data).__name__)
    if not 1 <= pk <= MAX_ID:
        self.fail("does_not_exist", pk_value=data)
    try:
        return self.get_queryset().get(pk=pk)
    except ObjectDoesNotExist:
        self.fail("does_not_exist", pk_value=data)


# ---------------------------------------------------------------- lists


def _list_cap(field: fields.ListField) -> int:
    return field.max_length if field.max_length is not None else MAX_LIST_ITEMS


def _list_to_internal_value(self: fields.ListField, data: Any):
    if isinstance(data, list | tuple) and len(data) > _list_cap(self):
        # Before any item is parsed or looked up: 20,000 ids cost nothing.
        self.fail("max_length", max_length=_list_cap(self))
    return _original_list_to_internal_value(self, data)


def _run_child_validation(self: fields.ListField, data):
    child = self.child
    if not isinstance(child, relations.PrimaryKeyRelatedField) or not _has_integer_pk(child):
        return _original_run_child_validation(self, data)
    errors: dict[int, Any] = {}
    wanted: dict[int, int] = {}
    for index, item in enumerate(data):
        if item is None:
            try:
                child.run_validation(item)
            except exceptions.ValidationError as error:
                errors[index] = error.detail
            continue
        pk = parse_id(item)
        if pk is None:
            errors[index] = [child.error_messages["incorrect_type"].format(data_type=type(item).__name__)]
        else:
            wanted[index] = pk
    in_range = {pk for pk in wanted.values() if 1 <= pk <= MAX_ID}
    found = child.get_queryset().in_bulk(in_range) if in_range else {}
    result = []
    for index, item in enumerate(data):
        if index in errors:
            continue
        if item is None:
            result.append(None)
            continue
        obj = found.get(wanted.get(index))
        if obj is None:
            if index in wanted:
                errors[index] = [child.error_messages["does_not_exist"].format(pk_value=item)]
            continue
        try:
            child.run_validators(obj)
        except exceptions.ValidationError as error:
            errors[index] = error.detail
            continue
        except DjangoValidationError as error:
            errors[index] = get_error_detail(error)
            continue
        result.append(obj)
    if errors:
        raise exceptions.ValidationError(errors)
    return result


_original_primary_key_to_internal_value = relations.PrimaryKeyRelatedField.to_internal_value
_original_list_to_internal_value = fields.ListField.to_internal_value
_original_run_child_validation = fields.ListField.run_child_validation


def install() -> None:
    """Called once from ``CoreConfig.ready``: every serializer of every app follows the rules above."""
    relations.PrimaryKeyRelatedField.to_internal_value = _primary_key_to_internal_value
    fields.ListField.to_internal_value = _list_to_internal_value
    fields.ListField.run_child_validation = _run_child_validation
