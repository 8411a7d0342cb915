"""The unit's inbox: counts at the top, soonest due first, the stage each due time belongs to."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from services.core import clock
from services.issues import worklists
from services.workcalendar.calendar import coverage_warning

PAGE_SIZE = 25


def inbox(request: HttpRequest) -> HttpResponse:
    actor = request.user
    now = clock.now()
    show = request.GET.get("show", "all")
    if show not in {t.key for t in worklists.UNIT_FILTERS}:
        show = "all"
    words = request.GET.get("q", "").strip()[:100]
    counts = worklists.unit_counts(actor, now=now)
    if show == "all" and not words:  # the usual request: a keyset page, as the API's inbox reads it
        page = Paginator(worklists.UnitInbox(actor, total=counts["all"]), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    else:
        issues = worklists.unit_worklist(actor, show=show, now=now, words=words)
        page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = worklists.rows_of(page.object_list)
    return render(
        request,
        "web/unit/inbox.html",
        {
            "counts": counts,
            "filters": worklists.UNIT_FILTERS,
            "show": show,
            "q": words,
            "page": page,
            "now": now,
            "calendar_warning": coverage_warning(timezone.localdate(now).year),
        },
    )
