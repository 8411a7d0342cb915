from django.urls import path

from services.notifications.api import MarkAllReadView, MarkReadView, NotificationListView

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notification-list"),
    path("notifications/read-all/", MarkAllReadView.as_view(), name="api-notification-read-all"),
    path("notifications/<int:pk>/read/", MarkReadView.as_view(), name="api-notification-read"),
]
