"""/api/v1/issues/…: list and file, the unit inbox, detail, history, attachments, one route per action."""

from django.urls import path

from services.issues import api
from services.issues.category_api import CategoryTreeView

urlpatterns = [
    path("categories/", CategoryTreeView.as_view(), name="api-category-list"),
    path("issues/", api.IssueListView.as_view(), name="api-issues"),
    path("issues/inbox/", api.IssueInboxView.as_view(), name="api-issue-inbox"),
    path("issues/<int:pk>/", api.IssueDetailView.as_view(), name="api-issue-detail"),
    path("issues/<int:pk>/events/", api.IssueEventsView.as_view(), name="api-issue-events"),
    path("issues/<int:pk>/attachments/", api.IssueAttachmentsView.as_view(), name="api-issue-attachments"),
    path(
        "issues/<int:pk>/attachments/<int:attachment_id>/",
        api.IssueAttachmentFileView.as_view(),
        name="api-issue-attachment-file",
    ),
    *(
        path(f"issues/<int:pk>/{action}/", view.as_view(), name=f"api-issue-{action}")
        for action, view in api.ACTION_VIEWS.items()
    ),
]
