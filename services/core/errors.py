"""Errors that actions raise, and the one registry of the codes the API answers errors with.

Views turn the refusals into 400/403/409 with the message shown to the user (``services.core.api``); every
error body's ``code`` is an ``ErrorCode``, declared in the schema as ``ErrorCodeEnum``.
"""

from django.core.exceptions import ValidationError
from django.db import models


class ErrorCode(models.TextChoices):
    """Every ``code`` an API error body may carry, each with what it means (the schema's ``ErrorCodeEnum``).

    A code outside this list is never answered: ``ActionRefused`` checks its code when it is made and the
    exception handler when it answers. Adding a code is a change to the API: note it in README.md's changelog.
    """

    INVALID = "invalid", "输入有误，字段错误见 fields / invalid input; field errors in fields (400)"
    REFUSED = "refused", "操作被拒绝，未做任何更改 / the action was refused, nothing was changed (400)"
    PARSE_ERROR = "parse_error", "请求体无法解析（JSON 无效、嵌套过深）/ the body cannot be parsed (400)"
    TOO_MANY_FIELDS = "too_many_fields", "请求中的字段过多 / too many fields in the request (400)"
    NOT_AUTHENTICATED = "not_authenticated", "未提供认证信息 / no credentials were sent (401)"
    AUTHENTICATION_FAILED = (
        "authentication_failed",
        "认证信息无效或已过期 / invalid or expired credentials (401)",
    )
    NOT_PERMITTED = (
        "not_permitted",
        "可以查看但无权进行此操作 / visible, but the caller may not do this (403)",
    )
    PERMISSION_DENIED = (
        "permission_denied",
        "无权使用此功能（角色或 CSRF 校验）/ the caller may not use this (role, CSRF check) (403)",
    )
    NOT_FOUND = "not_found", "不存在或无权查看（两者不可区分）/ missing or not visible (404)"
    METHOD_NOT_ALLOWED = "method_not_allowed", "不支持此请求方法 / the method is not allowed here (405)"
    NOT_ACCEPTABLE = (
        "not_acceptable",
        "无法按 Accept 请求头的格式答复 / cannot answer in the Accept types (406)",
    )
    INVALID_TRANSITION = (
        "invalid_transition",
        "当前状态不允许此操作 / the current state does not allow this (409)",
    )
    TOO_LARGE = "too_large", "请求内容过大 / the request body is too large (413)"
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        "请求体须为 JSON（上传为 multipart/form-data）/ the body must be JSON, an upload multipart/form-data (415)",
    )
    THROTTLED = "throttled", "请求过于频繁，见 Retry-After / throttled; see Retry-After (429)"
    UNAVAILABLE = (
        "unavailable",
        "数据库暂时不可用（如连接中断），操作可能未完成，请查看后重试（见 Retry-After）/ the database was briefly "
        "unavailable (a lost connection): the action may or may not have been done; look, then retry (503)",
    )


class ActionRefused(Exception):
    """The base of every refusal: nothing was written."""

    code: ErrorCode = ErrorCode.REFUSED

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = ErrorCode(cls.code)  # a subclass with a code outside the registry fails on import

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = ErrorCode(code)  # ValueError for a code outside the registry


class NotPermitted(ActionRefused):
    """The actor may see the object but may not do this to it (403)."""

    code = ErrorCode.NOT_PERMITTED


class InvalidTransition(ActionRefused):
    """The object is not in a state that allows this (409/400)."""

    code = ErrorCode.INVALID_TRANSITION


class InvalidInput(ActionRefused):
    """The input breaks a rule; ``errors`` maps field names to messages."""

    code = ErrorCode.INVALID

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        first = next(iter(errors.values()))[0]
        super().__init__(first)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "InvalidInput":
        if hasattr(error, "error_dict"):
            return cls({field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()})
        return cls({"__all__": [str(m) for m in error.messages]})
