"""The specialist's pages: my enterprises, logging a visit, filing on an enterprise's behalf, the quarter's
coverage; who may open them, what they show, their query counts, and that user text is escaped."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.core import clock
from services.issues.lifecycle import Status
from services.issues.models import Channel, Issue
from services.visits.models import Method, Visit, VisitPhoto
from tests.factories import (
    AssignmentFactory,
    EnterpriseFactory,
    SpecialistFactory,
    VisitFactory,
)
from tests.factories import issues as make
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 6, 18)
ENTERPRISES = reverse("web:specialist-enterprises")
LOG = reverse("web:specialist-log-visit")
COVERAGE = reverse("web:specialist-coverage")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 300


@pytest.fixture(autouse=True)
def friday_evening():
    with clock.travel_to(NOW):
        yield


def as_user(client, user):
    client.force_login(user)
    return client


def visit_post(enterprise, **overrides) -> dict:
    return {
        "client_key": str(uuid.uuid4()),
        "enterprise": enterprise.pk,
        "method": Method.ON_SITE,
        "visited_at": "2026-03-06T14:30",
        "people_met": "周海燕（办公室主任）",
        "orders_condition": "good",
        "orders": "订单排到6月",
        "labour_condition": "strained",
        "labour": "缺焊工30名",
        "policies_explained": "稳岗返还",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "20",
        **overrides,
    }


def with_problems(body: dict, *problems: tuple) -> dict:
    body = dict(body)
    for index, (category, urgency, description) in enumerate(problems):
        body[f"problems-{index}-category"] = category.pk
        body[f"problems-{index}-urgency"] = urgency
        body[f"problems-{index}-description"] = description
    body["problems-TOTAL_FORMS"] = str(len(problems))
    return body


# ---------------------------------------------------------------- who may open what


@pytest.mark.parametrize("person", ["enterprise_user", "handler", "dispatcher", "leader", "administrator"])
@pytest.mark.parametrize("page", [ENTERPRISES, LOG])
def test_only_specialists_have_these_pages_others_find_nothing(client, request, person, page):
    response = as_user(client, request.getfixturevalue(person)).get(page)

    assert response.status_code == 404


@pytest.mark.parametrize("person", ["enterprise_user", "handler", "unit_head"])
def test_the_quarter_coverage_page_is_not_for_enterprises_or_units(client, request, person):
    assert as_user(client, request.getfixturevalue(person)).get(COVERAGE).status_code == 404


def test_a_specialist_cannot_file_for_an_enterprise_they_do_not_serve(client, specialist, category):
    stranger = EnterpriseFactory(name="别人包联的企业")

    response = as_user(client, specialist).get(reverse("web:specialist-file", args=[stranger.pk]))

    assert response.status_code == 404


def test_a_specialist_cannot_open_another_specialists_visit(client, specialist, enterprise):
    theirs = VisitFactory(specialist=SpecialistFactory(), visited_at=shanghai(2026, 3, 2))

    response = as_user(client, specialist).get(reverse("web:specialist-visit", args=[theirs.pk]))

    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(ENTERPRISES)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# ---------------------------------------------------------------- my enterprises


def test_the_specialists_home_page_is_their_enterprises(client, specialist, enterprise):
    page = as_user(client, specialist).get(reverse("web:home")).content.decode()

    assert "我的企业" in page
    assert enterprise.name in page


def test_each_card_shows_contact_last_on_site_visit_and_this_quarters_state(client, specialist, enterprise):
    visited = EnterpriseFactory(name="重庆已走访机械有限公司", contact_phone="023-4755 1234")
    AssignmentFactory(specialist=specialist, enterprise=visited)
    VisitFactory(enterprise=visited, specialist=specialist, visited_at=shanghai(2026, 2, 3, 10))
    VisitFactory(
        enterprise=enterprise, specialist=specialist, visited_at=shanghai(2026, 2, 5), method=Method.PHONE
    )

    page = as_user(client, specialist).get(ENTERPRISES).content.decode()

    assert 'href="tel:023-47551234"' in page
    assert "2026-02-03" in page
    assert (
        page.count('<span class="badge bad">本季度尚未实地走访</span>') == 1
    )  # the phone call does not count
    assert page.index(enterprise.name) < page.index(visited.name)  # the one still due comes first
    assert "已实地走访 1 / 2 家" in page


def test_cards_count_open_problems_and_list_those_awaiting_a_rating(
    client, specialist, enterprise, enterprise_user, dispatcher, handler, category
):
    make.filed(enterprise_user=enterprise_user, category=category, title="缺焊工30名")
    answered = make.responded(
        enterprise_user=enterprise_user,
        dispatcher=dispatcher,
        handler=handler,
        category=category,
        title="用电增容报装",
    )

    page = as_user(client, specialist).get(ENTERPRISES).content.decode()

    assert "2件" in page  # open: the filed one and the answered one
    assert reverse("web:issue-detail", args=[answered.pk]) in page
    assert "用电增容报装" in page


def test_search_and_the_due_filter_narrow_the_cards(client, specialist, enterprise):
    visited = EnterpriseFactory(name="重庆长风化工有限公司")
    AssignmentFactory(specialist=specialist, enterprise=visited)
    VisitFactory(enterprise=visited, specialist=specialist, visited_at=shanghai(2026, 1, 20))
    signed_in = as_user(client, specialist)

    searched = signed_in.get(ENTERPRISES, {"q": "长风"}).content.decode()
    due = signed_in.get(ENTERPRISES, {"due": "1"}).content.decode()

    assert visited.name in searched and enterprise.name not in searched
    assert enterprise.name in due and visited.name not in due


def test_the_enterprise_list_takes_the_same_number_of_queries_for_three_or_thirty(
    client, specialist, enterprise_user, category
):
    def count():
        client.force_login(specialist)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ENTERPRISES).status_code == 200
        return len(queries)

    for _n in range(2):
        AssignmentFactory(specialist=specialist, enterprise=EnterpriseFactory())
    count()  # warm up what a page caches per user (the header's unread count)
    few = count()
    for _n in range(17):
        firm = EnterpriseFactory()
        AssignmentFactory(specialist=specialist, enterprise=firm)
        VisitFactory(enterprise=firm, specialist=specialist, visited_at=shanghai(2026, 2, 1))

    assert count() == few


def test_enterprise_and_contact_names_are_escaped(client, specialist):
    firm = EnterpriseFactory(name="<script>alert(1)</script>有限公司", contact_name='"><img src=x>')
    AssignmentFactory(specialist=specialist, enterprise=firm)

    page = as_user(client, specialist).get(ENTERPRISES).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;有限公司" in page
    assert '"><img src=x>' not in page


# ---------------------------------------------------------------- logging a visit


def test_the_visit_page_offers_the_camera_and_the_served_enterprises_only(client, specialist, enterprise):
    EnterpriseFactory(name="别人包联的企业")

    page = as_user(client, specialist).get(LOG, {"enterprise": enterprise.pk}).content.decode()

    assert 'accept="image/*"' in page and 'capture="environment"' in page and "multiple" in page
    assert enterprise.name in page
    assert "别人包联的企业" not in page
    assert 'name="client_key"' in page
    assert "<script>" not in page.replace("<script src=", "")  # no inline script
    assert 'style="' not in page


def test_companions_are_chosen_from_officials_only(client, specialist, enterprise, enterprise_user, handler):
    page = as_user(client, specialist).get(LOG).content.decode()

    assert handler.name in page
    assert enterprise_user.name not in page


def test_a_visit_with_photos_and_problems_found_is_recorded_and_the_problems_filed(
    client, specialist, enterprise, category
):
    body = with_problems(
        visit_post(enterprise),
        (category, "normal", "缺焊工30名，夜班开不了"),
        (category, "urgent", "10kV专线报装逾两月未排期"),
    )
    body["photos"] = [SimpleUploadedFile("车间.jpg", JPEG, "image/jpeg")]

    response = as_user(client, specialist).post(LOG, body)

    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:specialist-visit", args=[visit.pk])
    assert (visit.orders_condition, visit.labour, visit.visited_at) == (
        "good",
        "缺焊工30名",
        shanghai(2026, 3, 6, 14, 30),
    )
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    issues = Issue.objects.filter(visit=visit).order_by("pk")
    assert [(i.title, i.urgency, i.channel, i.status) for i in issues] == [
        ("缺焊工30名，夜班开不了", "normal", Channel.VISIT, Status.SUBMITTED),
        ("10kV专线报装逾两月未排期", "urgent", Channel.VISIT, Status.SUBMITTED),
    ]


def test_the_same_key_posted_twice_records_one_visit_and_answers_with_the_first(
    client, specialist, enterprise, category
):
    body = with_problems(visit_post(enterprise), (category, "normal", "缺焊工30名"))
    signed_in = as_user(client, specialist)

    first = signed_in.post(LOG, body, headers={"accept": "application/json"})
    again = signed_in.post(LOG, body, headers={"accept": "application/json"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert (Visit.objects.count(), Issue.objects.count()) == (1, 1)


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(client, specialist, enterprise, category):
    body = visit_post(enterprise, visited_at="2026-03-09T09:00")  # Monday: later than now
    body["photos"] = [SimpleUploadedFile("病毒.jpg", b"MZ\x90\x00" + b"\x00" * 50, "image/jpeg")]

    response = as_user(client, specialist).post(LOG, body)

    page = response.content.decode()
    assert response.status_code == 400
    assert "走访时间不能晚于现在。" in page
    assert 'aria-describedby="id_visited_at-errors"' in page or "id_visited_at-errors" in page
    assert "订单排到6月" in page  # what was typed is kept
    assert Visit.objects.count() == 0


def test_a_refused_photo_is_reported_and_nothing_is_saved(client, specialist, enterprise):
    body = visit_post(enterprise)
    body["photos"] = [SimpleUploadedFile("病毒.jpg", b"MZ\x90\x00" + b"\x00" * 50, "image/jpeg")]

    response = as_user(client, specialist).post(LOG, body, headers={"accept": "application/json"})

    assert response.status_code == 400
    assert "病毒.jpg" in response.json()["errors"]["photos"][0]
    assert Visit.objects.count() == 0


def test_a_problem_row_without_a_category_is_refused_with_its_own_error(client, specialist, enterprise):
    body = visit_post(enterprise, **{"problems-TOTAL_FORMS": "1", "problems-0-description": "缺工"})

    response = as_user(client, specialist).post(LOG, body, headers={"accept": "application/json"})

    assert response.status_code == 400
    assert "problems-0-category" in response.json()["errors"]
    assert Visit.objects.count() == 0


def test_the_visit_summary_escapes_what_was_typed(client, specialist, enterprise):
    visit = VisitFactory(
        enterprise=enterprise,
        specialist=specialist,
        visited_at=shanghai(2026, 3, 2),
        people_met="<b>厂长</b>",
    )

    page = as_user(client, specialist).get(reverse("web:specialist-visit", args=[visit.pk])).content.decode()

    assert "<b>厂长</b>" not in page and "&lt;b&gt;厂长&lt;/b&gt;" in page


# ---------------------------------------------------------------- filing on an enterprise's behalf


def test_a_specialist_files_a_problem_on_the_enterprises_behalf(client, specialist, enterprise, category):
    response = as_user(client, specialist).post(
        reverse("web:specialist-file", args=[enterprise.pk]),
        {"category": category.pk, "urgency": "normal", "title": "缺焊工", "description": "缺焊工30名"},
    )

    issue = Issue.objects.get()
    assert response.status_code == 302
    assert (issue.enterprise, issue.channel, issue.filed_by) == (enterprise, Channel.ON_BEHALF, specialist)


def test_filing_without_a_title_shows_the_error_and_files_nothing(client, specialist, enterprise, category):
    response = as_user(client, specialist).post(
        reverse("web:specialist-file", args=[enterprise.pk]),
        {"category": category.pk, "urgency": "normal", "title": "", "description": "缺焊工30名"},
    )

    assert response.status_code == 400
    assert "id_title-errors" in response.content.decode()
    assert Issue.objects.count() == 0


# ---------------------------------------------------------------- coverage


def test_a_specialist_sees_their_own_quarter_and_what_is_left(client, specialist, enterprise):
    done = EnterpriseFactory(name="重庆已走访机械有限公司")
    AssignmentFactory(specialist=specialist, enterprise=done)
    VisitFactory(enterprise=done, specialist=specialist, visited_at=shanghai(2026, 1, 5))

    page = as_user(client, specialist).get(COVERAGE).content.decode()

    assert "2026年第1季度" in page
    assert "1 / 2" in page
    assert enterprise.name in page
    assert done.name not in page


def test_leaders_see_every_specialist_behind_first(client, leader, specialist, enterprise):
    ahead = SpecialistFactory(display_name="林专员")
    firm = EnterpriseFactory()
    AssignmentFactory(specialist=ahead, enterprise=firm)
    VisitFactory(enterprise=firm, specialist=ahead, visited_at=shanghai(2026, 2, 1))

    page = as_user(client, leader).get(COVERAGE).content.decode()

    assert page.index(specialist.name) < page.index("林专员")


def test_the_coverage_page_picks_a_quarter_from_the_address(client, dispatcher):
    page = as_user(client, dispatcher).get(COVERAGE, {"year": "2025", "quarter": "4"}).content.decode()

    assert "2025年第4季度" in page
    assert "year=2026&amp;quarter=1" in page


def test_a_nonsense_quarter_falls_back_to_this_one(client, dispatcher):
    response = as_user(client, dispatcher).get(COVERAGE, {"year": "x", "quarter": "9"})

    assert response.status_code == 200
    assert "2026年第1季度" in response.content.decode()


def test_the_district_coverage_takes_the_same_queries_for_few_or_many_specialists(client, leader):
    def count():
        client.force_login(leader)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(COVERAGE).status_code == 200
        return len(queries)

    AssignmentFactory()
    count()  # warm up what a page caches per user (the header's unread count)
    few = count()
    for _n in range(10):
        AssignmentFactory()

    assert count() == few


# ---------------------------------------------------------------- working without a signal


def test_the_service_worker_is_served_from_the_root_with_its_scope_allowed(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert LOG in body and "web/specialist/visit.js" in body


def test_the_manifest_lets_the_site_be_added_to_the_home_screen(client):
    response = client.get("/manifest.webmanifest")

    manifest = json.loads(response.content)
    assert response["Content-Type"].startswith("application/manifest+json")
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == ENTERPRISES
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_the_specialist_pages_link_the_manifest_and_no_outside_origin(client, specialist):
    page = as_user(client, specialist).get(LOG).content.decode()

    assert 'rel="manifest"' in page
    assert "http://" not in page and "https://" not in page and "//cdn" not in page


def test_a_later_visit_date_than_today_in_london_is_still_today_in_jiangjin(client, specialist, enterprise):
    """visited_at is read in Asia/Shanghai: 00:30 on 7 March in Jiangjin is before 'now' there."""
    with clock.travel_to(shanghai(2026, 3, 7, 1)):
        response = as_user(client, specialist).post(
            LOG, visit_post(enterprise, visited_at="2026-03-07T00:30")
        )

    assert response.status_code == 302
    assert Visit.objects.get().visited_at == shanghai(2026, 3, 7, 0, 30)
    assert Visit.objects.get().visited_at.astimezone(dt.UTC).day == 6


# ---------------------------------------------------------------- in English


def main_text(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


@pytest.mark.parametrize("page", [ENTERPRISES, LOG, COVERAGE])
def test_the_specialists_pages_are_english_under_english_apart_from_what_people_typed(
    client, specialist, enterprise, page
):
    enterprise.name = "Jiangji Winery"
    enterprise.contact_name = "Li Xiaomei"
    enterprise.save()
    specialist.display_name = "Zhang Jianguo"
    specialist.save()

    response = as_user(client, specialist).get(page, headers={"accept-language": "en"})

    chinese = set(re.findall(r"[\u4e00-\u9fff]+", main_text(response)))
    # Town and park names are reference data, shown as entered.
    assert chinese <= {"双福街道", "科学城江津片区"}
