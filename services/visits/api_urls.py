from django.urls import path

from services.visits.api import VisitDetailView, VisitListView

urlpatterns = [
    path("visits/", VisitListView.as_view(), name="api-visit-list"),
    path("visits/<int:pk>/", VisitDetailView.as_view(), name="api-visit-detail"),
]
