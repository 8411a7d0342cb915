"""Server-rendered pages: each role's work list, an issue with its history and clocks, coverage, inbox."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from services.accounts import roles
from services.core import clock
from services.issues.lifecycle import OPEN_STATUSES
from services.issues.selectors import (
    attachments_of,
    clocks_of,
    events_of,
    get_issue_for,
    list_issues_for,
    unit_inbox,
)
from services.notifications.selectors import list_notifications_for
from services.visits.coverage import Period, coverage, coverage_by_specialist
from services.web.access import sees_district_figures
from services.web.views import specialist
from services.workcalendar.calendar import coverage_warning


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if roles.is_specialist(user):
        return specialist.my_enterprises(request)  # a specialist's work list is the enterprises they serve
    if user.is_unit_staff:
        issues = unit_inbox(user)
    else:
        issues = list_issues_for(user).filter(status__in=OPEN_STATUSES).order_by("-created_at", "-pk")
    page = Paginator(issues, 25).get_page(request.GET.get("page"))
    now = clock.now()
    return render(
        request,
        "web/home.html",
        {
            "page": page,
            "calendar_warning": coverage_warning(timezone.localdate(now).year),
            "is_unit_staff": user.is_unit_staff,
            "now": now,
        },
    )


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_for(actor=request.user, issue_id=pk)
    return render(
        request,
        "web/issue_detail.html",
        {
            "issue": issue,
            "events": events_of(issue),
            "clocks": clocks_of(issue),
            "attachments": attachments_of(issue),
            "now": clock.now(),
        },
    )


@login_required
def coverage_view(request: HttpRequest) -> HttpResponse:
    if not sees_district_figures(request.user):
        raise Http404
    this_year = timezone.localdate(clock.now()).year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), 2100)
    quarters = [(q, coverage(Period.quarter(year, q))) for q in (1, 2, 3, 4)]
    return render(
        request,
        "web/coverage.html",
        {
            "year": year,
            "annual": coverage(Period.year(year)),
            "quarters": quarters,
            "specialists": Paginator(coverage_by_specialist(Period.year(year)), 50).get_page(
                request.GET.get("page")
            ),
        },
    )


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(list_notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page": page})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
