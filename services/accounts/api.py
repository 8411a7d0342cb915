"""``GET /api/v1/me/``: who the caller is; ``auth/token/``: API tokens."""

from collections.abc import Mapping

from axes.handlers.proxy import AxesProxyHandler
from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from services.accounts.lockout import lockout_message, seconds_to_wait
from services.accounts.models import User
from services.accounts.serializers import MeSerializer
from services.core.api import IsAuthenticatedActor, error_responses


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


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="在请求头中使用：Authorization: Token <token> / send as Authorization: Token <token>"
    )


def _locked_out(request: Request, username: str | None) -> exceptions.Throttled:
    seconds = seconds_to_wait(request, username)
    refusal = exceptions.Throttled(wait=seconds)
    refusal.detail = exceptions.ErrorDetail(lockout_message(seconds), code="throttled")
    return refusal


class ObtainTokenView(APIView):
    """``POST /api/v1/auth/token/`` {username, password} → {"token": "…"}.

    The same lockout as the login pages (``services.accounts.lockout``), plus the "login" rate throttle per
    client address.
    """

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary="获取访问令牌 / Obtain an API token",
        description=(
            "用用户名和密码换取令牌，之后以 `Authorization: Token <token>` 调用接口。登录接口限流；"
            "同一用户名或地址连续登录失败过多会被暂时锁定（429，Retry-After 给出等待秒数）。\n\n"
            "Exchange a username and password for a token; then send `Authorization: Token <token>`. "
            "Throttled per client; too many failures for a username or an address lock it for a while "
            "(429, Retry-After gives the seconds to wait)."
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
        serializer = AuthTokenSerializer(data=data, context={"request": request})
        if not serializer.is_valid():
            # This failure may be the one that reaches the limit.
            if AxesProxyHandler.is_locked(request, credentials):
                raise _locked_out(request, username)
            raise exceptions.ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
