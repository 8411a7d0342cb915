"""The product's routes plus /bench/bare/: the yardstick the issue endpoints are compared with."""

from django.urls import path
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from jiangjin.urls import handler500  # noqa: F401 — the product's, in this root URLconf too
from jiangjin.urls import urlpatterns as product_urlpatterns
from services.issues.models import Issue


class BareIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issue
        fields = ["id", "number", "title", "status", "urgency", "created_at"]


class BareIssueList(ListAPIView):
    """25 rows of the issue table, newest first: DRF with the same authentication and nothing else."""

    serializer_class = BareIssueSerializer
    queryset = Issue.objects.none()  # for the schema only
    pagination_class = None

    def list(self, request, *args, **kwargs):
        rows = Issue.objects.order_by("-created_at", "-pk")[:25]
        return Response(self.get_serializer(rows, many=True).data)


urlpatterns = [path("bench/bare/", BareIssueList.as_view()), *product_urlpatterns]
