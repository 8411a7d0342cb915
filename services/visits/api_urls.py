from django.urls import path

from services.visits.api import VisitDetailView, VisitListView, VisitPhotoFileView

urlpatterns = [
    path("visits/", VisitListView.as_view(), name="api-visit-list"),
    path("visits/<int:pk>/", VisitDetailView.as_view(), name="api-visit-detail"),
    path("visits/<int:pk>/photos/<int:photo_id>/", VisitPhotoFileView.as_view(), name="api-visit-photo"),
]
