from django.urls import path

from services.accounts.api import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
]
