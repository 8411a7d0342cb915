"""Server-rendered pages: each role's work list, an issue with its history and clocks, coverage, inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from services.accounts import roles
from services.core import clock
from services.issues.lifecycle import OPEN_STATUSES
from services.issues.selectors import list_issues_for, with_next_due
from services.notifications.actions import mark_all_read, mark_read
from services.notifications.selectors import list_notifications_for
from services.visits.coverage import Period, coverage, coverage_by_specialist
from services.web.access import sees_district_figures
from services.web.views import dispatch, enterprise, specialist, unit
from services.workcalendar.calendar import coverage_warning


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if roles.is_specialist(user):
        return specialist.my_enterprises(request)  # a specialist's work list is the enterprises they serve
    if roles.is_enterprise_user(user):
        return enterprise.my_problems(request)
    if roles.is_unit_staff(user):
        return unit.inbox(request)
    if roles.is_dispatcher(user):
        return dispatch.queues(request)
    issues = with_next_due(list_issues_for(user).filter(status__in=OPEN_STATUSES)).order_by(
        "-created_at", "-pk"
    )
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


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a message marks it read and goes to its problem (or back to the list)."""
    notification = get_object_or_404(list_notifications_for(request.user), pk=pk)
    mark_read(notification=notification, actor=request.user)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("web:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d条消息已标为已读。", "%(count)d条消息已标为已读。", marked) % {"count": marked},
    )
    return redirect("web:notifications")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
