"""The specialist's own pages: the enterprises they serve, logging a visit on a phone (also offline, see
``static/web/specialist/visit.js`` and the service worker), filing on an enterprise's behalf, and the
quarter's on-site coverage. Leaders and dispatchers see every specialist's coverage on the same page.

Each view is parse → selector → one action → render or redirect. Nothing here writes with the ORM.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from services.accounts import roles
from services.accounts.models import User
from services.core.errors import InvalidInput, NotPermitted
from services.enterprises.selectors import assigned_enterprises
from services.issues.actions import file_issue
from services.visits.actions import log_visit
from services.visits.coverage import (
    Period,
    current_quarter,
    specialist_quarter,
    specialists_behind_first,
)
from services.visits.forms import FileOnBehalfForm, ProblemsFound, VisitForm
from services.visits.selectors import enterprise_cards_for, list_visits_for

CARDS_PER_PAGE = 20
SPECIALISTS_PER_PAGE = 50
CACHE_VERSION = "visits-1"


def _specialist(request: HttpRequest) -> User:
    """The pages of this module that only a serving specialist has: anyone else finds nothing here."""
    if not roles.is_specialist(request.user):
        raise Http404
    return request.user


def _wants_json(request: HttpRequest) -> bool:
    # The visit page's script sends with fetch() and reads JSON; a plain form post gets HTML.
    return "application/json" in request.headers.get("Accept", "")


@login_required
def my_enterprises(request: HttpRequest) -> HttpResponse:
    specialist = _specialist(request)
    period = current_quarter()
    search = request.GET.get("q", "")
    due_only = request.GET.get("due") == "1"
    cards = enterprise_cards_for(specialist, period, search=search, due_only=due_only)
    quarter = specialist_quarter(specialist, period)
    return render(
        request,
        "web/specialist/enterprises.html",
        {
            "page": Paginator(cards, CARDS_PER_PAGE).get_page(request.GET.get("page")),
            "quarter": quarter,
            "period": period,
            "search": search,
            "due_only": due_only,
        },
    )


@login_required
def log_visit_page(request: HttpRequest) -> HttpResponse:
    specialist = _specialist(request)
    enterprises = assigned_enterprises(specialist).filter(is_active=True).order_by("name")
    if request.method != "POST":
        form = VisitForm.blank(
            actor=specialist, enterprises=enterprises, enterprise_id=request.GET.get("enterprise")
        )
        return _visit_page(request, form, ProblemsFound(prefix="problems"))
    form = VisitForm(request.POST, request.FILES, actor=specialist, enterprises=enterprises)
    problems = ProblemsFound(request.POST, prefix="problems")
    if form.is_valid() and problems.is_valid():
        try:
            visit = log_visit(actor=specialist, problems=problems.found(), **form.action_arguments())
        except InvalidInput as refused:
            form.add_action_errors(refused.errors)
        except NotPermitted as refused:
            form.add_error(None, str(refused))
        else:
            url = reverse("web:specialist-visit", args=[visit.pk])
            if _wants_json(request):
                return JsonResponse({"visit": visit.pk, "url": url}, status=201)
            messages.success(request, _("走访记录已保存。"))
            return redirect(url)
    if _wants_json(request):
        errors = {name: [str(message) for message in messages_] for name, messages_ in form.errors.items()}
        for index, problem_errors in enumerate(problems.errors):
            for name, messages_ in problem_errors.items():
                errors[f"problems-{index}-{name}"] = [str(message) for message in messages_]
        return JsonResponse({"errors": errors}, status=400)
    return _visit_page(request, form, problems, status=400)


def _visit_page(request: HttpRequest, form: VisitForm, problems, status: int = 200) -> HttpResponse:
    return render(
        request,
        "web/specialist/log_visit.html",
        {"form": form, "problems": problems, "has_enterprises": form.fields["enterprise"].queryset.exists()},
        status=status,
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    specialist = _specialist(request)
    visit = get_object_or_404(
        list_visits_for(specialist).prefetch_related("companions", "photos", "issues"), pk=pk
    )
    return render(request, "web/specialist/visit_detail.html", {"visit": visit})


@login_required
def file_on_behalf(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    specialist = _specialist(request)
    enterprise = get_object_or_404(assigned_enterprises(specialist).filter(is_active=True), pk=enterprise_id)
    form = FileOnBehalfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = file_issue(actor=specialist, enterprise=enterprise, **data)
        except InvalidInput as refused:
            form.add_action_errors(refused.errors)
        except NotPermitted as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("已代企业提交诉求 %(number)s。") % {"number": issue.number})
            return redirect("web:issue-detail", pk=issue.pk)
    return render(
        request,
        "web/specialist/file_on_behalf.html",
        {"form": form, "enterprise": enterprise},
        status=400 if form.errors else 200,
    )


def _period(request: HttpRequest) -> Period:
    today = current_quarter()
    try:
        year = min(max(int(request.GET.get("year", today.start.year)), 2000), 2100)
        number = int(request.GET.get("quarter", today.quarter_number))
        return Period.quarter(year, number)
    except (TypeError, ValueError):
        return today


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    """A specialist's own quarter; for leaders, dispatchers and administrators, every specialist's."""
    user = request.user
    district = roles.reads_whole_district(user)
    if not district and not roles.is_specialist(user):
        raise Http404
    period = _period(request)
    context: dict = {"period": period, "district": district}
    previous = Period.quarter(
        period.start.year - (period.quarter_number == 1), (period.quarter_number - 2) % 4 + 1
    )
    following = Period.quarter(
        period.start.year + (period.quarter_number == 4), period.quarter_number % 4 + 1
    )
    context["previous"], context["following"] = previous, following
    if district:
        context["specialists"] = Paginator(specialists_behind_first(period), SPECIALISTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    else:
        context["quarter"] = specialist_quarter(user, period)
    return render(request, "web/specialist/coverage.html", context)


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that it may look after the specialist's pages."""
    body = render_to_string("web/specialist/sw.js", {"version": _asset_version()}, request=request)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = render_to_string("web/specialist/manifest.webmanifest", request=request)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")


def _asset_version() -> str:
    # Pages are fetched network-first and assets revalidated on every use, so a deployment is picked up
    # without a new name; change the name only when the cache's layout changes.
    return CACHE_VERSION
