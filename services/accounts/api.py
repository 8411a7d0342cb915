"""``GET /api/v1/me/``: who the caller is."""

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

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
