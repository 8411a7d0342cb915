from django.urls import path

from services.departments.api import UnitDetailView, UnitListView

urlpatterns = [
    path("units/", UnitListView.as_view(), name="api-unit-list"),
    path("units/<int:pk>/", UnitDetailView.as_view(), name="api-unit-detail"),
]
