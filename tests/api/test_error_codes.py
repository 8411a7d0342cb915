"""One registry of error codes (``services.core.errors.ErrorCode``): every code an error body carries is in it,
each says what it means, and nothing can answer with a code outside it."""

import ast
import re
from pathlib import Path

import pytest
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions

from services.core.api import error_body, exception_handler
from services.core.errors import ActionRefused, ErrorCode, InvalidInput, InvalidTransition, NotPermitted
from services.core.inputs import RequestTooLarge

SERVICES = Path(__file__).resolve().parents[2] / "services"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")

# Everything the exception handler answers, with the status and the code it answers with.
ANSWERS = [
    (InvalidInput({"title": ["请填写标题。"]}), 400, "invalid"),
    (ActionRefused("不能这样做。"), 400, "refused"),
    (NotPermitted("只有调度员可以进行此操作。"), 403, "not_permitted"),
    (InvalidTransition("当前状态不允许。"), 409, "invalid_transition"),
    (Http404(), 404, "not_found"),
    (ObjectDoesNotExist(), 404, "not_found"),
    (exceptions.NotFound(), 404, "not_found"),
    (DjangoValidationError("不对。"), 400, "invalid"),
    (exceptions.ValidationError({"note": ["太长。"]}), 400, "invalid"),
    (OverflowError(), 400, "invalid"),
    (DataError(), 400, "invalid"),
    (exceptions.ParseError(), 400, "parse_error"),
    (TooManyFieldsSent(), 400, "too_many_fields"),
    (exceptions.NotAuthenticated(), 401, "not_authenticated"),
    (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
    (exceptions.PermissionDenied(), 403, "permission_denied"),
    (DjangoPermissionDenied(), 403, "permission_denied"),
    (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
    (exceptions.NotAcceptable(), 406, "not_acceptable"),
    (RequestTooLarge(), 413, "too_large"),
    (RequestDataTooBig(), 413, "too_large"),
    (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
    (exceptions.Throttled(wait=30), 429, "throttled"),
    (OperationalError("server closed the connection unexpectedly"), 503, "unavailable"),
    (InterfaceError("connection already closed"), 503, "unavailable"),
]


def test_every_code_says_what_it_means_in_chinese_and_english():
    for code in ErrorCode:
        assert CJK.search(code.label) and LATIN_WORD.search(code.label), code


@pytest.mark.parametrize(("error", "status", "code"), ANSWERS, ids=lambda value: type(value).__name__)
def test_each_error_the_handler_knows_answers_with_its_registered_code(error, status, code):
    response = exception_handler(error, {})

    assert (response.status_code, response.data["code"]) == (status, code)
    assert response.data["code"] in ErrorCode.values


def test_every_registered_code_is_one_the_api_answers_with():
    answered = {code for _error, _status, code in ANSWERS}

    assert answered == set(ErrorCode.values)


def test_every_api_exception_drf_or_the_project_defines_is_among_the_answers():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    defined = {
        cls
        for cls in subclasses(exceptions.APIException)
        if cls.__module__ == "rest_framework.exceptions" or cls.__module__.startswith("services.")
    }

    assert defined <= {type(error) for error, _status, _code in ANSWERS}


def test_a_refusal_cannot_be_made_with_a_code_outside_the_registry():
    with pytest.raises(ValueError, match="not_a_code"):
        ActionRefused("不能这样做。", code="not_a_code")

    assert ActionRefused("不能这样做。", code="not_permitted").code is ErrorCode.NOT_PERMITTED


def test_a_refusal_class_with_a_code_outside_the_registry_cannot_be_declared():
    with pytest.raises(ValueError, match="not_a_code"):

        class Odd(ActionRefused):
            code = "not_a_code"


def test_an_api_exception_with_a_code_outside_the_registry_is_never_answered():
    with pytest.raises(ValueError, match="not_a_code"):
        exception_handler(exceptions.ParseError("坏了。", code="not_a_code"), {})
    with pytest.raises(ValueError, match="not_a_code"):
        error_body("not_a_code", "坏了。")


# ---------------------------------------------------------------- every raise site names a registered code

# Calls whose ``code`` becomes an error body's code, and classes whose ``code``/``default_code`` does.
_PRODUCERS = {
    "ActionRefused",
    "NotPermitted",
    "InvalidTransition",
    "InvalidInput",
    "APIException",
    "ParseError",
    "AuthenticationFailed",
    "NotAuthenticated",
    "PermissionDenied",
    "NotFound",
    "MethodNotAllowed",
    "NotAcceptable",
    "UnsupportedMediaType",
    "Throttled",
    "RequestTooLarge",
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _codes_written(tree: ast.AST):
    """(line, code expression) of every code given at a raise site or declared on an error class."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in _PRODUCERS:
            for keyword in node.keywords:
                if keyword.arg == "code":
                    yield node.lineno, keyword.value
        elif isinstance(node, ast.Call) and _name(node.func) == "error_body" and node.args:
            yield node.lineno, node.args[0]
        elif isinstance(node, ast.ClassDef) and {_name(base) for base in node.bases} & _PRODUCERS:
            for statement in node.body:
                targets = statement.targets if isinstance(statement, ast.Assign) else []
                if isinstance(statement, ast.AnnAssign):
                    targets = [statement.target]
                if any(_name(target) in {"code", "default_code"} for target in targets) and statement.value:
                    yield statement.lineno, statement.value


def _is_registered(expression: ast.expr) -> bool:
    if isinstance(expression, ast.Attribute) and _name(expression.value) == "ErrorCode":
        return expression.attr in ErrorCode.__members__
    return not isinstance(expression, ast.Constant)  # a value passed on (``exc.code``), checked when answered


def test_every_code_written_in_the_code_base_is_a_registered_error_code_not_a_bare_string():
    written, unregistered = 0, []
    for path in sorted(SERVICES.rglob("*.py")):
        for line, expression in _codes_written(ast.parse(path.read_text(encoding="utf-8"))):
            written += 1
            if not _is_registered(expression):
                unregistered.append(f"{path.relative_to(SERVICES.parent)}:{line}: {ast.unparse(expression)}")

    assert written >= 15
    assert unregistered == [], "write ErrorCode.<NAME>:\n" + "\n".join(unregistered)
