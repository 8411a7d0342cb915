"""The enterprise's own problems, by tab: being handled, awaiting my rating, closed, all."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from services.core import clock
from services.issues import worklists

PAGE_SIZE = 20


def my_problems(request: HttpRequest) -> HttpResponse:
    actor = request.user
    tab = request.GET.get("tab", "open")
    if tab not in {t.key for t in worklists.ENTERPRISE_TABS}:
        tab = "open"
    counts = worklists.enterprise_tab_counts(actor)
    page = Paginator(worklists.enterprise_issues(actor, tab=tab), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/enterprise/home.html",
        {
            "tabs": [(t, counts[t.key]) for t in worklists.ENTERPRISE_TABS],
            "tab": tab,
            "page": page,
            "now": clock.now(),
        },
    )
