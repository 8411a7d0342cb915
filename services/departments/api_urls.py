from django.urls import path

from services.departments.api import UnitDetailView, UnitListView
from services.issues.category_api import CategoryTreeView

urlpatterns = [
    path("units/", UnitListView.as_view(), name="api-unit-list"),
    path("units/<int:pk>/", UnitDetailView.as_view(), name="api-unit-detail"),
    # The category tree lives with the issues app's models; it is mounted here so that the issues app's
    # own API routes stay in one module kept by its owner.
    path("categories/", CategoryTreeView.as_view(), name="api-category-list"),
]
