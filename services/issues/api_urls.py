"""/api/v1/issues/…: list and file, the unit inbox, detail, history, and one route per lifecycle action."""

from django.urls import path

from services.issues import api

urlpatterns = [
    path("issues/", api.IssueListView.as_view(), name="api-issues"),
    path("issues/inbox/", api.IssueInboxView.as_view(), name="api-issue-inbox"),
    path("issues/<int:pk>/", api.IssueDetailView.as_view(), name="api-issue-detail"),
    path("issues/<int:pk>/events/", api.IssueEventsView.as_view(), name="api-issue-events"),
    *(
        path(f"issues/<int:pk>/{action}/", view.as_view(), name=f"api-issue-{action}")
        for action, view in api.ACTION_VIEWS.items()
    ),
]
