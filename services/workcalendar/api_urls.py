from django.urls import path

from services.workcalendar.api import (
    CalendarDaysView,
    OverrideDetailView,
    OverrideListView,
    YearDetailView,
    YearListView,
)

urlpatterns = [
    path("calendar/days/", CalendarDaysView.as_view(), name="api-calendar-days"),
    path("calendar/overrides/", OverrideListView.as_view(), name="api-calendar-override-list"),
    path("calendar/overrides/<int:pk>/", OverrideDetailView.as_view(), name="api-calendar-override-detail"),
    path("calendar/years/", YearListView.as_view(), name="api-calendar-year-list"),
    path("calendar/years/<int:year>/", YearDetailView.as_view(), name="api-calendar-year-detail"),
]
