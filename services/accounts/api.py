"""``GET /api/v1/me/``: who the caller is; ``auth/token/``: API tokens."""

from collections.abc import Mapping

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from services.accounts.lockout import lockout_message, seconds_to_wait
from services.accounts.models import User
from services.accounts.serializers import MeSerializer
from services.accounts.tokens import issue_token, revoke_all_tokens
from services.core.api import IsAuthenticatedActor, error_responses
from services.core.errors import ErrorCode


class MeView(APIView):
    permission_classes = [IsAuthenticatedActor]

    @extend_schema(
        operation_id="me",
        tags=["me"],
        summary="当前用户 / The caller",
        description=(
            "返回当前登录用户的身份：姓名、角色（含按请求语言显示的名称）、所属单位或企业、未读消息数。\n\n"
            "Who the caller is: name, role (with its label in the request's language), unit or enterprise, "
            "and the number of unread notifications."
        ),
        responses={200: MeSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        # One query: the person, their unit and enterprise, and the unread count of their inbox.
        me = (
            User.objects.select_related("unit", "enterprise")
            .annotate(
                unread_notifications=Count("notifications", filter=Q(notifications__read_at__isnull=True))
            )
            .get(pk=request.user.pk)
        )
        return Response(MeSerializer(me).data)


# ---------------------------------------------------------------- tokens


class AuthTokenSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="用户名 / Username")
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, help_text="密码 / Password"
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=(
            "在请求头中使用：Authorization: Token <token>；只显示这一次 / "
            "send as Authorization: Token <token>; shown this once only"
        )
    )
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="到期时间 / when the token stops working"
    )


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="撤销的令牌数 / how many tokens were revoked")


def _locked_out(request: Request, username: str | None) -> exceptions.Throttled:
    seconds = seconds_to_wait(request, username)
    refusal = exceptions.Throttled(wait=seconds)
    refusal.detail = exceptions.ErrorDetail(lockout_message(seconds), code=ErrorCode.THROTTLED)
    return refusal


class TokenView(APIView):
    """``POST /api/v1/auth/token/`` {username, password} → a new token; ``DELETE`` revokes the one in use.

    Logging in has the same lockout as the login pages (``services.accounts.lockout``), plus the "login" rate
    throttle per client address.
    """

    throttle_scope = "login"

    def _logging_in(self) -> bool:
        # The schema generator asks before there is a request.
        return getattr(self.request, "method", None) == "POST"

    def get_authenticators(self):
        return [] if self._logging_in() else super().get_authenticators()

    def get_permissions(self):
        return [] if self._logging_in() else [IsAuthenticatedActor()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self._logging_in() else []

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary="获取访问令牌 / Obtain an API token",
        description=(
            "用用户名和密码换取新令牌（每次登录一个，有效期有限），之后以 `Authorization: Token <token>` "
            "调用接口。登录接口限流；同一用户名或地址连续登录失败过多会被暂时锁定（429，Retry-After "
            "给出等待秒数）。\n\n"
            "Exchange a username and password for a new token (one per login, with an expiry); then send "
            "`Authorization: Token <token>`. Throttled per client; too many failures for a username or an "
            "address lock it for a while (429, Retry-After gives the seconds to wait)."
        ),
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = request.data
        username = data.get("username") if isinstance(data, Mapping) else None
        username = username if isinstance(username, str) else None
        credentials = {"username": username}
        if AxesProxyHandler.is_locked(request, credentials):
            raise _locked_out(request, username)
        login = AuthTokenSerializer(data=data)
        login.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=login.validated_data["username"],
            password=login.validated_data["password"],
        )
        if user is None or not user.is_active:
            # This failure may be the one that reaches the limit.
            if AxesProxyHandler.is_locked(request, credentials):
                raise _locked_out(request, username)
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}, code="authorization"
            )
        row, token = issue_token(user)
        return Response({"token": token, "expires_at": row.expiry})

    @extend_schema(
        operation_id="auth_token_revoke",
        tags=["auth"],
        summary="撤销当前令牌 / Revoke the token in use",
        description=(
            "撤销本次请求所用的令牌，之后它不再有效。\n\nRevokes the token this request was sent with."
        ),
        request=None,
        responses={204: None, **error_responses(400, 401)},
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("本次请求没有使用令牌，没有可撤销的令牌。")]}
            )
        request.auth.delete()
        return Response(status=204)


class TokensView(APIView):
    """``DELETE /api/v1/auth/tokens/``: every token of the caller stops working."""

    permission_classes = [IsAuthenticatedActor]

    @extend_schema(
        operation_id="auth_tokens_revoke_all",
        tags=["auth"],
        summary="撤销全部令牌 / Revoke all my tokens",
        description=(
            "撤销当前用户的全部令牌（例如手机丢失后）。修改密码或停用账号时也会自动撤销。\n\n"
            "Revokes every token of the caller (e.g. after losing a phone). A password change or a "
            "deactivation does the same by itself."
        ),
        request=None,
        responses={200: RevokedSerializer, **error_responses(400, 401)},
    )
    def delete(self, request: Request) -> Response:
        return Response({"revoked": revoke_all_tokens(request.user)})
