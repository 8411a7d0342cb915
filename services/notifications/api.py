"""``/api/v1/notifications/``: the caller's own inbox. Someone else's message is "not found"."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from services.core.api import CursorPage, IsAuthenticatedActor, StrictBooleanFilter, error_responses
from services.notifications.actions import mark_all_read, mark_read
from services.notifications.models import Notification
from services.notifications.selectors import list_notifications_for, unread_count
from services.notifications.serializers import NotificationSerializer, ReadAllSerializer


class InboxPage(CursorPage):
    """Newest first, with the caller's unread count beside the page (for the badge)."""

    ordering = ("-created_at", "-pk")

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread_count"] = unread_count(self.request.user)
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread_count"] = {
            "type": "integer",
            "description": "未读消息数 / unread notifications",
        }
        paginated.setdefault("required", [])
        paginated["required"] = [*paginated["required"], "unread_count"]
        return paginated


class NotificationFilter(django_filters.FilterSet):
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", label="只看未读 / unread only")

    class Meta:
        model = Notification
        fields = ["unread"]


def _inbox(request: Request) -> QuerySet[Notification]:
    return list_notifications_for(request.user)


@extend_schema_view(
    get=extend_schema(
        operation_id="notifications_list",
        tags=["notifications"],
        summary="我的消息 / My inbox",
        description=(
            "调用者本人的站内消息，最新在前，游标分页；附未读总数。可用 unread=true 只看未读。\n\n"
            "The caller's own in-app messages, newest first, cursor-paginated, with the total unread "
            "count. unread=true shows only unread ones."
        ),
        responses={200: NotificationSerializer(many=True), **error_responses(400, 401, 404)},
    )
)
class NotificationListView(generics.ListAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = NotificationSerializer
    pagination_class = InboxPage
    filterset_class = NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no caller
            return Notification.objects.none()
        return _inbox(self.request)


class MarkReadView(APIView):
    permission_classes = [IsAuthenticatedActor]

    @extend_schema(
        operation_id="notifications_read",
        tags=["notifications"],
        summary="标为已读 / Mark as read",
        description=(
            "把本人的一条消息标为已读（重复调用无副作用）；他人的消息与不存在一样返回 404。\n\n"
            "Marks one of the caller's messages read (repeating it changes nothing); someone else's "
            "message is 404, exactly like one that does not exist."
        ),
        request=None,
        responses={200: NotificationSerializer, **error_responses(401, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = generics.get_object_or_404(_inbox(request), pk=pk)
        notification = mark_read(notification=notification, actor=request.user)
        return Response(NotificationSerializer(notification).data)


class MarkAllReadView(APIView):
    permission_classes = [IsAuthenticatedActor]

    @extend_schema(
        operation_id="notifications_read_all",
        tags=["notifications"],
        summary="全部标为已读 / Mark all as read",
        description="把本人的全部未读消息标为已读。\n\nMarks all of the caller's unread messages read.",
        request=None,
        responses={200: ReadAllSerializer, **error_responses(401)},
    )
    def post(self, request: Request) -> Response:
        marked = mark_all_read(actor=request.user)
        return Response({"marked": marked, "unread_count": unread_count(request.user)})
