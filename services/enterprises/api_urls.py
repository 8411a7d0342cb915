from django.urls import path

from services.enterprises.api import EnterpriseDetailView, EnterpriseListView

urlpatterns = [
    path("enterprises/", EnterpriseListView.as_view(), name="api-enterprise-list"),
    path("enterprises/<int:pk>/", EnterpriseDetailView.as_view(), name="api-enterprise-detail"),
]
