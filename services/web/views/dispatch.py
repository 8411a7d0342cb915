"""The dispatcher's desk: the queues (to accept, to dispatch, sent back, extension requests, dissatisfied
ratings, the supervision board of overdue stages) and search by number, enterprise or title."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from services.core import clock
from services.issues import worklists
from services.workcalendar.calendar import coverage_warning

PAGE_SIZE = 25


def queues(request: HttpRequest) -> HttpResponse:
    actor = request.user
    now = clock.now()
    words = request.GET.get("q", "").strip()[:100]
    queue = request.GET.get("queue", "all" if words else "to_accept")
    if queue not in {t.key for t in worklists.DISPATCH_QUEUES}:
        queue = "to_accept"
    counts = worklists.dispatch_counts(actor, now=now)
    issues = worklists.dispatch_queue(actor, queue=queue, now=now, words=words)
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/dispatch/queues.html",
        {
            "queues": [(t, counts[t.key]) for t in worklists.DISPATCH_QUEUES],
            "queue": queue,
            "q": words,
            "page": page,
            "now": now,
            "calendar_warning": coverage_warning(timezone.localdate(now).year),
        },
    )
