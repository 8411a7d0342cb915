"""What every app's API shares: one error shape, pagination, base permissions and the action-view pattern.

Every error the API answers has one JSON shape, in the request's language (LocaleMiddleware reads
``Accept-Language``; Chinese by default)::

    {"code": "not_permitted", "message": "只有调度员可以进行此操作。", "fields": {}}

``code`` is one of the registry ``services.core.errors.ErrorCode`` (the schema's ``ErrorCodeEnum``); ``fields``
maps a field name to its messages (``non_field_errors`` for the form as a whole). The refusals that
actions raise (``services.core.errors``) become 400/403/409; "not visible" and "does not exist" are the same
404 with the same body. An unexpected exception is not turned into an answer: Django reports a 500, and the
tests make sure no input reaches one. The rules for raw input (body size and depth, ids, lists) are stated in
``services.core.inputs``; an ``OverflowError`` or a database ``DataError`` that still gets through is the
client's input too, and answers 400.
"""

import functools
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, timedelta
from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.db.models import Model
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, pagination, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView, set_rollback

from services.core import clock
from services.core.errors import ActionRefused, ErrorCode, InvalidInput, InvalidTransition, NotPermitted
from services.core.inputs import RequestTooLarge
from services.core.pagination import CursorTokens, PageNumberTokens
from services.core.text import NUL_MESSAGE

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"

# ---------------------------------------------------------------- the one error shape


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (所有错误响应的统一格式)."""

    code = serializers.ChoiceField(
        choices=ErrorCode.choices,
        help_text="机器可读的错误代码，取值见 ErrorCodeEnum / machine-readable error code, one of ErrorCodeEnum",
    )
    message = serializers.CharField(help_text="按请求语言显示的说明 / message in the request's language")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="字段错误：字段名 → 消息列表 / field errors: field name → messages",
    )


_ERROR_DESCRIPTIONS = {
    400: "输入有误或操作被拒绝 / invalid input or refused action",
    401: "未登录或认证信息无效 / not authenticated",
    403: "可以查看但无权进行此操作 / visible, but the caller may not do this",
    404: "不存在或无权查看（两者不可区分）/ missing or not visible (indistinguishable)",
    409: "当前状态不允许此操作 / the current state does not allow this",
    413: "请求内容过大 / request body too large",
    415: "请求体的媒体类型不受支持 / unsupported media type of the request body",
    429: "请求过于频繁 / throttled",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """``@extend_schema(responses={200: X, **error_responses(400, 403, 404, 409)})``."""
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


def document_unsupported_media_type(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: every operation that reads a body may answer 415 (a body it cannot parse as any
    of its media types), in the one error shape. Added here once rather than on each view."""
    error = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault(
                    "415",
                    {
                        "description": _ERROR_DESCRIPTIONS[415],
                        "content": {"application/json": {"schema": error}},
                    },
                )
    return result


def error_body(code: ErrorCode, message: Any, fields: Mapping[str, list] | None = None) -> dict:
    """The one error shape; ``code`` must be in the registry (``ValueError`` otherwise: a test finds it)."""
    return {
        "code": ErrorCode(code).value,
        "message": str(message),
        "fields": {name: [str(m) for m in messages] for name, messages in (fields or {}).items()},
    }


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → ``{"field": [...], "co_units.1": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = NON_FIELD if key in (NON_FIELD, "__all__") and not prefix else str(key)
            for field, messages in _flatten(value, f"{prefix}.{name}" if prefix else name).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            flat[prefix or NON_FIELD] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or NON_FIELD] = [str(detail)]
    return flat


def _first_message(fields: Mapping[str, list[str]], default: Any) -> str:
    for messages in fields.values():
        if messages:
            return messages[0]
    return str(default)


def _validation_response(fields: dict[str, list[str]]) -> Response:
    message = _first_message(fields, exceptions.ValidationError.default_detail)
    return Response(error_body(ErrorCode.INVALID, message, fields), status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every known error → the one shape; anything else → 500."""
    if isinstance(exc, exceptions.UnsupportedMediaType):
        exc = _explain_media_type(exc, context)
    response = _handle(exc)
    if response is not None:
        set_rollback()
    return response


_NUL_CODE = "null_characters_not_allowed"


def _explain_nul(detail: Any) -> Any:
    """DRF's own text for a NUL character reads, in Chinese, like a complaint about an empty value."""
    if isinstance(detail, Mapping):
        return {key: _explain_nul(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        return [_explain_nul(item) for item in detail]
    if isinstance(detail, exceptions.ErrorDetail) and detail.code == _NUL_CODE:
        return exceptions.ErrorDetail(str(NUL_MESSAGE), code=_NUL_CODE)
    return detail


def _explain_media_type(exc: exceptions.UnsupportedMediaType, context: Mapping[str, Any]) -> Exception:
    """A body the view cannot parse (a form where JSON belongs): say which media type it takes."""
    view, request = context.get("view"), context.get("request")
    if view is None or request is None:
        return exc
    accepted = ", ".join(parser.media_type for parser in view.get_parsers())
    sent = (request.content_type or "").split(";")[0].strip()
    if sent:
        message = _("此接口的请求体须为 %(accepted)s 格式，不接受“%(sent)s”。") % {
            "accepted": accepted,
            "sent": sent,
        }
    else:
        message = _("此接口的请求体须为 %(accepted)s 格式，请在 Content-Type 请求头中注明。") % {
            "accepted": accepted
        }
    return exceptions.UnsupportedMediaType(sent, detail=message, code=ErrorCode.UNSUPPORTED_MEDIA_TYPE)


def _handle(exc: Exception) -> Response | None:
    # Refusals raised by actions (nothing was written).
    if isinstance(exc, NotPermitted):
        return Response(error_body(exc.code, exc.message), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, InvalidTransition):
        return Response(error_body(exc.code, exc.message), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, InvalidInput):
        fields = {NON_FIELD if k == "__all__" else k: list(v) for k, v in exc.errors.items()}
        return Response(error_body(exc.code, exc.message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ActionRefused):
        return Response(error_body(exc.code, exc.message), status=status.HTTP_400_BAD_REQUEST)

    # Not found and not visible: one body, whatever the cause.
    if isinstance(exc, Http404 | ObjectDoesNotExist | exceptions.NotFound):
        return Response(
            error_body(ErrorCode.NOT_FOUND, exceptions.NotFound.default_detail),
            status=status.HTTP_404_NOT_FOUND,
        )

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return _validation_response(_flatten(exc.message_dict))
        return _validation_response({NON_FIELD: [str(m) for m in exc.messages]})
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(_flatten(_explain_nul(exc.detail)))

    # Input no rule foresaw, caught by Python or the database: still the client's input, still a 400.
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body(ErrorCode.TOO_LARGE, RequestTooLarge.default_detail), status=413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response(error_body(ErrorCode.TOO_MANY_FIELDS, _("请求中的字段过多。")), status=400)
    if isinstance(exc, OverflowError | DataError):
        return _validation_response({NON_FIELD: [str(_("输入的数值超出了允许的范围。"))]})

    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF would coerce this to 403 when the first authenticator is the session; a client without
        # credentials is told to authenticate, with the scheme it can use.
        code = ErrorCode(exc.default_code)  # not_authenticated or authentication_failed
        response = Response(error_body(code, exc.detail), status=status.HTTP_401_UNAUTHORIZED)
        response["WWW-Authenticate"] = 'Token realm="api"'
        return response
    if isinstance(exc, exceptions.Throttled):
        response = Response(
            error_body(ErrorCode.THROTTLED, exc.detail), status=status.HTTP_429_TOO_MANY_REQUESTS
        )
        if exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait))
        return response
    if isinstance(exc, DjangoPermissionDenied):
        return Response(
            error_body(ErrorCode.PERMISSION_DENIED, exceptions.PermissionDenied.default_detail),
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, DatabaseOperationalError | DatabaseInterfaceError):
        # The database failed under the request: most often its connection was lost in the middle (the server
        # restarted or ended it, a failover), or a lock or statement timed out.
        # A move may have been committed before the connection went (while the answer was being read), so the
        # client looks before it tries again, as after any lost answer. Logged like a 500.
        logger.error("database unavailable while answering: %s", exc, exc_info=exc)
        response = Response(
            error_body(ErrorCode.UNAVAILABLE, _("数据库暂时不可用，操作可能未完成，请查看后重试。")),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "1"
        return response
    if isinstance(exc, exceptions.APIException):
        # ParseError (400), PermissionDenied (403), MethodNotAllowed (405), NotAcceptable (406),
        # UnsupportedMediaType (415) and RequestTooLarge (413) keep their status; their codes are in the
        # registry under DRF's own names, and an exception with a code outside it fails the test that raises it.
        detail = exc.detail
        if isinstance(detail, Mapping | list):
            fields = _flatten(detail)
            message = _first_message(fields, exc.default_detail)
        else:
            fields, message = {}, detail
        code = ErrorCode(str(getattr(detail, "code", None) or exc.default_code))
        return Response(error_body(code, message, fields), status=exc.status_code)
    return None


# ---------------------------------------------------------------- serializer fields


class LabelField(serializers.CharField):
    """The translated label of a choice, e.g. ``status_label = LabelField(Status, source="status")``.

    An empty value gives "", an unknown one its own text (``choice_label``).
    """

    def __init__(self, choices: type, **kwargs: Any) -> None:
        self.choices_enum = choices
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return choice_label(self.choices_enum, value)


@functools.cache
def _choice_labels(choices: type, language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def choice_label(choices: type, value: Any) -> str:
    """The label of ``value`` in the active language; "" for an empty value, the value itself if unknown.

    Labels are looked up once per choices class and language: a list page otherwise spends more time
    translating the same dozen labels than reading its rows.
    """
    if value in ("", None):
        return ""
    return _choice_labels(choices, translation.get_language()).get(value, str(value))


# ---------------------------------------------------------------- filtering


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the filter set's parameters.

    Building and validating a FilterSet's form costs about a millisecond per request even when every
    parameter is absent; an unfiltered first page is the most common request of every list.
    """

    def filter_queryset(self, request: Request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        if filterset_class is not None:
            _refuse_unclear_yes_no(request, filterset_class)
            _refuse_numbers_out_of_range(request, filterset_class)
        return super().filter_queryset(request, queryset, view)


_NUMBER_FILTERS = (
    django_filters.NumberFilter,
    django_filters.ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)
_WHOLE_NUMBER = re.compile(r"\s*[-+]?\d+\s*")


def _refuse_numbers_out_of_range(request: Request, filterset_class) -> None:
    """A number filter or an id filter beyond a 64-bit column: a 400 on every database (SQLite would overflow;
    PostgreSQL would quietly find nothing)."""
    for name, declared in filterset_class.base_filters.items():
        if isinstance(declared, _NUMBER_FILTERS):
            for value in request.query_params.getlist(name):
                for part in value.split(","):
                    if _WHOLE_NUMBER.fullmatch(part) and abs(int(part)) > 2**63 - 1:
                        raise exceptions.ValidationError({name: [_("输入的数值超出了允许的范围。")]})


_YES_NO = {"true", "false", "True", "False", "1", "0", ""}


def _refuse_unclear_yes_no(request: Request, filterset_class) -> None:
    """A yes/no filter given anything but true/false is a 400, whichever filter class it is: django-filter's
    own BooleanFilter would otherwise ignore ``overdue=maybe`` and answer the unfiltered list."""
    for name, declared in filterset_class.base_filters.items():
        if isinstance(declared, django_filters.BooleanFilter) and name in request.query_params:
            value = request.query_params[name]
            if value not in _YES_NO:
                message = StrictBooleanField.default_error_messages["invalid"] % {"value": value}
                raise exceptions.ValidationError({name: [message]})


# ---------------------------------------------------------------- pagination


class CursorPage(CursorTokens, pagination.CursorPagination):
    """For the big lists (issues, visits, notifications): stable under inserts, no COUNT(*), no deep OFFSET.

    A view chooses its order with ``cursor_ordering`` (a tuple ending in a unique field, e.g.
    ``("-created_at", "-pk")``); without it the pagination's own ``ordering`` applies.
    """

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-pk")
    invalid_cursor_message = _("分页游标无效。")

    def get_ordering(self, request: Request, queryset, view) -> tuple[str, ...]:
        chooser = getattr(view, "get_cursor_ordering", None)
        if chooser is not None:
            return tuple(chooser(request))
        fixed = getattr(view, "cursor_ordering", None)
        return tuple(fixed) if fixed else tuple(self.ordering)

    def _invalid_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def decode_cursor(self, request: Request):
        # DRF answers a bad cursor with 404; it is bad input, and 404 is kept for "not found".
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise self._invalid_cursor() from None
        if cursor is None or cursor.position is None:
            return cursor
        # A position is a string the client sends back; a time in it must be one PostgreSQL accepts.
        try:
            moment = parse_datetime(cursor.position)
            if moment is not None and moment.tzinfo is not None:
                cursor = cursor._replace(position=moment.astimezone(UTC).isoformat())
        except (ValueError, OverflowError):
            raise self._invalid_cursor() from None
        return cursor

    def paginate_queryset(self, queryset, request: Request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            if not request.query_params.get(self.cursor_query_param):
                raise
            # A position that does not fit the ordering field (a word where a time belongs).
            raise self._invalid_cursor() from None


class NumberedPage(PageNumberTokens, pagination.PageNumberPagination):
    """For the small reference lists (units, categories, towns): page numbers and a total count."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    invalid_page_message = _("页码无效。")


# ---------------------------------------------------------------- permissions


class IsAuthenticatedActor(permissions.IsAuthenticated):
    """Signed in (session or token) and active. Visibility of objects is the selectors' business."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class HasRole(IsAuthenticatedActor):
    """Base for role gates: ``class IsDispatcher(HasRole): roles = (Role.DISPATCHER,)``.

    Superusers pass every gate. A role gate answers 403 with the default message; an object the caller may
    not see is still a 404 from the selector.
    """

    roles: ClassVar[Iterable[str]] = ()
    message = _("您的角色不能使用此功能。")

    def has_permission(self, request: Request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        user = request.user
        return user.is_superuser or user.role in set(self.roles)


# Role values as accounts.Role stores them; core sits below accounts and does not import it.


class IsDispatcher(HasRole):
    roles = ("dispatcher",)


class IsAdministrator(HasRole):
    roles = ("admin",)


class IsDistrictWide(HasRole):
    """Dispatchers, leaders and administrators: the roles that read the whole district."""

    roles = ("dispatcher", "leader", "admin")


# ---------------------------------------------------------------- the action-view pattern


class ActionView(APIView):
    """``POST /…/{pk}/<action>/``: fetch the visible object, parse, call one action, serialize.

    Subclasses set ``input_serializer`` (or leave it None for an empty body) and implement:

    * ``get_object()`` — through the app's selector, raising Http404 for what the caller may not see;
    * ``check(obj)`` (optional) — the action's own permission predicate, run before parsing so that a caller
      who may not act learns 403 whatever the body says; the action checks again under its row lock;
    * ``perform(obj, data)`` — call exactly one action; refusals propagate to ``exception_handler``;
    * ``represent(obj, result)`` — the response body (often the object's detail serializer).
    """

    input_serializer: ClassVar[type[serializers.Serializer] | None] = None
    success_status: ClassVar[int] = status.HTTP_200_OK

    def get_object(self) -> Model:
        raise NotImplementedError

    def check(self, obj: Model) -> None:
        """Raise NotPermitted if the caller may not do this to ``obj``."""

    def perform(self, obj: Model, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def represent(self, obj: Model, result: Any) -> Any:
        raise NotImplementedError

    def parse(self, request: Request) -> dict[str, Any]:
        if self.input_serializer is None:
            return {}
        serializer = self.input_serializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {"request": self.request, "view": self}

    def post(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()
        self.check(obj)
        data = self.parse(request)
        result = self.perform(obj, data)
        return Response(self.represent(obj, result), status=self.success_status)


# ---------------------------------------------------------------- query-string filters shared by the lists


class IdFilter(django_filters.NumberFilter):
    """A row id in a query string: a whole number in the range of the id column, else 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or 1/0); anything else is a 400 rather than silently no filter."""

    default_error_messages = {"invalid": _("“%(value)s”不是有效的是非值，请填写 true 或 false。")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})

    def validate(self, value) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs) -> None:
        # A plain text widget hands the raw value to the field (the select widgets map unknowns to None).
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


# ---------------------------------------------------------------- throttles


class AcceptedWritesThrottle(ScopedRateThrottle):
    """A rate that counts what was accepted, not what was tried: the rows the caller wrote within the window.

    ``AcceptedWritesThrottle(lambda user, since: Issue.objects.filter(filed_by=user, created_at__gte=since))``
    with ``throttle_scope = "filing"``: refused attempts (a missing field, a wrong category) write no row and
    so cost nothing, and the count lives in the database every web process shares. Anonymous callers are not
    counted here (the views that use it need a login).
    """

    def __init__(self, accepted_since) -> None:
        super().__init__()
        self.accepted_since = accepted_since

    def allow_request(self, request: Request, view) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope or not request.user or not request.user.is_authenticated:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.now = clock.now()
        since = self.now - timedelta(seconds=self.duration)
        recent = list(
            self.accepted_since(request.user, since)
            .order_by("created_at")
            .values_list("created_at", flat=True)[: self.num_requests]
        )
        if len(recent) < self.num_requests:
            return True
        self.first = recent[0]
        return False

    def wait(self) -> float:
        return max(1.0, (self.first + timedelta(seconds=self.duration) - self.now).total_seconds())


# ---------------------------------------------------------------- unknown paths under /api/


@csrf_exempt
def not_found(request, *args, **kwargs):
    """The last route under /api/: an unknown path answers in the one error shape, not Django's HTML page."""
    body = error_body(ErrorCode.NOT_FOUND, exceptions.NotFound.default_detail)
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
