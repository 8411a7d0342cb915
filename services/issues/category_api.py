"""``GET /api/v1/categories/``: the two-level category tree (用工 → 招工难), each with the unit that leads.

Mounted from ``services/departments/api_urls.py`` (the issues app's API routes are kept by its own module);
it reads only categories and their units.
"""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers

from services.core.api import IsAuthenticatedActor, NumberedPage, error_responses
from services.departments.serializers import UnitBriefSerializer
from services.issues.models import Category


class SubcategorySerializer(serializers.ModelSerializer):
    default_lead_unit = UnitBriefSerializer(
        read_only=True, allow_null=True, help_text="本分类设置的牵头单位 / lead unit set on this item"
    )
    lead_unit = UnitBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text="实际默认牵头单位（未设置时取一级分类的）/ effective lead unit (the parent's when unset)",
    )

    class Meta:
        model = Category
        fields = ["id", "code", "name", "default_lead_unit", "lead_unit"]
        read_only_fields = fields


class CategoryTreeSerializer(serializers.ModelSerializer):
    default_lead_unit = UnitBriefSerializer(
        read_only=True, allow_null=True, help_text="默认牵头单位 / default lead unit"
    )
    children = SubcategorySerializer(
        many=True, read_only=True, help_text="二级分类（启用中）/ level-2 items (active)"
    )

    class Meta:
        model = Category
        fields = ["id", "code", "name", "default_lead_unit", "children"]
        read_only_fields = fields


def category_tree() -> QuerySet[Category]:
    """Active level-1 categories with their active level-2 items, in three queries whatever the size."""
    children = (
        Category.objects.filter(is_active=True)
        .select_related("default_lead_unit")
        .order_by("sort", "code", "pk")
    )
    return (
        Category.objects.filter(parent__isnull=True, is_active=True)
        .select_related("default_lead_unit")
        .prefetch_related(Prefetch("children", queryset=children))
        .order_by("sort", "code", "pk")
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="categories_list",
        tags=["categories"],
        summary="诉求分类树 / Category tree",
        description=(
            "启用中的一级诉求分类及其二级分类，每项附默认牵头单位；二级分类未设置时沿用一级分类的牵头单位。\n\n"
            "The active level-1 categories with their level-2 items, each with its default lead unit; a "
            "level-2 item without one inherits its parent's."
        ),
        responses={200: CategoryTreeSerializer(many=True), **error_responses(401, 404)},
    )
)
class CategoryTreeView(generics.ListAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = CategoryTreeSerializer
    pagination_class = NumberedPage
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Category]:
        return category_tree()
