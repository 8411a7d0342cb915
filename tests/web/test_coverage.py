import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services.visits.models import Method
from tests.factories import EnterpriseFactory, VisitFactory

pytestmark = pytest.mark.django_db


def coverage_page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("web:coverage"), params)


@pytest.mark.parametrize("person", ["enterprise_user", "specialist", "handler", "unit_head"])
def test_coverage_is_not_found_for_those_without_district_figures(client, request, person):
    assert coverage_page(client, request.getfixturevalue(person)).status_code == 404


@pytest.mark.parametrize("person", ["dispatcher", "leader", "admin_user"])
def test_coverage_is_shown_to_dispatchers_leaders_and_administrators(client, request, person):
    assert coverage_page(client, request.getfixturevalue(person)).status_code == 200


def test_only_on_site_visits_count_towards_coverage(client, dispatcher, enterprise, specialist):
    phoned = EnterpriseFactory()
    VisitFactory(
        enterprise=enterprise,
        specialist=specialist,
        method=Method.ON_SITE,
        visited_at=timezone.make_aware(dt.datetime(2026, 2, 10, 10, 0)),
    )
    VisitFactory(
        enterprise=phoned,
        specialist=specialist,
        method=Method.PHONE,
        visited_at=timezone.make_aware(dt.datetime(2026, 5, 10, 10, 0)),
    )

    response = coverage_page(client, dispatcher, year=2026)

    page = response.content.decode()
    assert "2026年规上工业企业实地走访覆盖情况" in page
    assert response.context["annual"].visited == 1
    assert response.context["annual"].in_scope == 2
    assert '<span class="value">50.0%</span>' in page
    assert "第1季度" in page
    assert "张建国" in page
    assert "100.0%" in page  # the specialist's one enterprise was visited on site


def test_a_nonsense_year_falls_back_to_this_year(client, dispatcher):
    response = coverage_page(client, dispatcher, year="二〇二六")

    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
