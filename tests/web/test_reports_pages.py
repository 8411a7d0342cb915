"""统计报表 pages: who may see them, what they show, escaping, query counts, drill-downs, targets, closing,
exports."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from services.core import clock
from services.issues.models import Satisfaction
from services.reports.models import AnnualTarget, ExportJob, Figure, PeriodSnapshot, TargetChange
from tests.factories import VisitFactory
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = pytest.mark.django_db

MON = shanghai(2025, 3, 3, 9)
WED = shanghai(2025, 3, 5, 10)
THU = shanghai(2025, 3, 6, 10)
IN_2026 = shanghai(2026, 2, 2, 10)
YEAR_2025 = {"kind": "year", "year": "2025"}


@pytest.fixture
def desk(enterprise_user, dispatcher, handler, category):
    return Desk(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)


@pytest.fixture
def two_closed(desk):
    desk.closed(MON, answered=WED, rated=THU)
    desk.closed(MON, answered=WED, rated=THU, satisfaction=Satisfaction.BASIC)


def page(client, user, name, params=None, *args):
    client.force_login(user)
    with clock.travel_to(IN_2026):
        return client.get(reverse(name, args=args), params or {})


PAGES = [
    ("web:reports", ()),
    ("web:reports-drilldown", ("closed",)),
    ("web:reports-targets", ()),
]


@pytest.mark.parametrize("name,args", PAGES)
@pytest.mark.parametrize("person", ["enterprise_user", "specialist", "handler", "unit_head"])
def test_report_pages_are_not_found_for_those_without_district_figures(client, request, person, name, args):
    assert page(client, request.getfixturevalue(person), name, YEAR_2025, *args).status_code == 404


@pytest.mark.parametrize("name,args", PAGES)
@pytest.mark.parametrize("person", ["dispatcher", "leader", "admin_user"])
def test_report_pages_are_shown_to_dispatchers_leaders_and_administrators(
    client, request, person, name, args
):
    assert page(client, request.getfixturevalue(person), name, YEAR_2025, *args).status_code == 200


def test_the_nav_links_to_the_reports_for_leaders_only(client, leader, enterprise_user):
    client.force_login(leader)
    assert reverse("web:reports") in client.get(reverse("web:home")).content.decode()
    client.force_login(enterprise_user)
    assert reverse("web:reports") not in client.get(reverse("web:home")).content.decode()


def test_the_dashboard_shows_each_figure_its_target_gap_and_status_in_words(client, leader, two_closed):
    AnnualTarget.objects.create(year=2025, figure=Figure.SATISFACTION_RATE, value=Decimal("0.98"))
    AnnualTarget.objects.create(year=2025, figure=Figure.CLOSURE_RATE, value=Decimal("0.95"))

    html = page(client, leader, "web:reports", YEAR_2025).content.decode()

    assert "95%" in html  # 满意率 (1 + 0.9) ÷ 2
    assert "-3个百分点" in html and "未达目标" in html
    assert "达到目标" in html  # 办结率 100% against 95%
    assert "实时数据" in html
    assert "<details>" in html and "有评价的办结问题（最终评价）" in html
    assert "<script>" not in html and 'style="' not in html


def test_the_definition_links_each_count_to_a_list_of_that_length(client, leader, two_closed):
    html = page(client, leader, "web:reports", YEAR_2025).content.decode()
    link = reverse("web:reports-drilldown", args=["satisfied"])

    assert re.search(rf'href="{re.escape(link)}\?kind=year&amp;year=2025">1</a>', html)
    listed = page(client, leader, "web:reports-drilldown", YEAR_2025, "satisfied")
    assert listed.context["page"].paginator.count == 1


@pytest.mark.parametrize("by", ["unit", "category", "town", "park", "month"])
def test_every_breakdown_renders_a_chart_with_its_table_and_summary(client, dispatcher, two_closed, by):
    response = page(client, dispatcher, "web:reports", {**YEAR_2025, "by": by})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 2 and "<figcaption>" in html and "<caption>" in html


def test_the_dashboard_costs_the_same_queries_however_many_problems(client, leader, desk):
    def count():
        client.force_login(leader)
        with clock.travel_to(IN_2026), CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:reports"), {**YEAR_2025, "by": "unit"}).status_code == 200
        return len(queries)

    desk.closed(MON, answered=WED, rated=THU)
    count()  # warm up what a page caches per user (the header's unread count)
    few = count()
    for _ in range(3):
        desk.closed(MON, answered=WED, rated=THU)
    assert count() == few


def test_a_drill_down_list_costs_the_same_queries_however_many_rows(client, leader, desk):
    def count():
        client.force_login(leader)
        with clock.travel_to(IN_2026), CaptureQueriesContext(connection) as queries:
            client.get(reverse("web:reports-drilldown", args=["closed"]), YEAR_2025)
        return len(queries)

    desk.closed(MON, answered=WED, rated=THU)
    count()  # warm up what a page caches per user (the header's unread count)
    few = count()
    for _ in range(3):
        desk.closed(MON, answered=WED, rated=THU)
    assert count() == few


def test_names_are_escaped_in_charts_tables_and_lists(client, leader, enterprise, specialist):
    enterprise.name = "<b>重庆某某机械</b>"
    enterprise.save(update_fields=["name"])
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=shanghai(2025, 4, 8, 10))

    lists = page(client, leader, "web:reports-drilldown", YEAR_2025, "served").content.decode()

    assert "<b>重庆" not in lists and "&lt;b&gt;重庆某某机械" in lists


def test_each_row_of_a_breakdown_table_links_its_counts_to_the_rows_list_and_escapes_its_name(
    client, leader, two_closed, unit
):
    unit.short_name = "<i>区人力社保局</i>🏭"
    unit.save(update_fields=["short_name"])

    html = page(client, leader, "web:reports", {**YEAR_2025, "by": "unit"}).content.decode()

    row = re.search(r'<tr><th scope="row">&lt;i&gt;区人力社保局&lt;/i&gt;🏭</th>(.*?)</tr>', html).group(1)
    link = reverse("web:reports-drilldown", args=["logged"])
    assert f'<a href="{link}?kind=year&amp;year=2025&amp;by=unit&amp;key={unit.pk}">2</a>' in row
    assert "<i>" not in html


def test_an_unknown_list_is_not_found(client, leader):
    assert page(client, leader, "web:reports-drilldown", YEAR_2025, "everything").status_code == 404


def test_a_bad_period_shows_the_error_beside_its_field(client, leader):
    response = page(
        client, leader, "web:reports", {"kind": "custom", "start": "2025-05-01", "end": "2025-04-01"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in html and 'aria-describedby="id_end-error"' in html


def test_an_administrator_sets_a_target_on_the_page_and_it_is_recorded(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("web:reports-targets"),
        {"year": "2026", "figure": "closure_rate", "value": "0.98", "note": "区定"},
    )

    assert response.status_code == 302
    assert AnnualTarget.objects.get().value == Decimal("0.98")
    assert TargetChange.objects.get().actor == admin_user


def test_a_bad_target_keeps_what_was_typed_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("web:reports-targets"), {"year": "2026", "figure": "closure_rate", "value": "98"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="98"' in html and "0到1之间" in html
    assert not AnnualTarget.objects.exists()


def test_a_leader_cannot_set_a_target(client, leader):
    client.force_login(leader)
    response = client.post(reverse("web:reports-targets"), {"year": "2026", "figure": "visits", "value": "9"})

    assert response.status_code == 404
    assert not AnnualTarget.objects.exists()


def test_an_administrator_closes_a_year_and_the_dashboard_says_frozen(client, admin_user, two_closed):
    client.force_login(admin_user)
    with clock.travel_to(IN_2026):
        client.post(reverse("web:reports-close"), {**YEAR_2025, "reason": "年报定稿"})

    html = page(client, admin_user, "web:reports", YEAR_2025).content.decode()
    assert PeriodSnapshot.objects.filter(start=dt.date(2025, 1, 1), kind="year").exists()
    assert "已关账（冻结数据）" in html
    assert page(client, admin_user, "web:reports-recompute", YEAR_2025).status_code == 200


def test_a_leader_cannot_close_a_period(client, leader, two_closed):
    client.force_login(leader)
    with clock.travel_to(IN_2026):
        assert client.post(reverse("web:reports-close"), YEAR_2025).status_code == 404
    assert not PeriodSnapshot.objects.exists()


def test_the_summary_exports_to_excel_with_period_time_and_state(client, leader, two_closed):
    response = page(client, leader, "web:reports-export", {**YEAR_2025, "table": "summary"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[value for value in row if value is not None] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == ["2025年统计报表"]
    assert ["统计期", "2025年"] in cells and ["数据状态", "实时数据"] in cells
    assert any(row[0] == "导出时间" for row in cells)
    assert ["指标", "实际值", "目标值", "分子", "分母", "口径"] in cells


def test_a_drill_down_exports_as_many_rows_as_its_list(client, leader, two_closed):
    response = page(
        client, leader, "web:reports-export", {**YEAR_2025, "table": "drilldown", "part": "closed"}
    )

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows.index(("编号", "标题", "企业", "一级分类", "承办单位", "状态", "提交时间", "办结时间"))
    assert len(rows) - header - 1 == 2


def test_a_large_drill_down_export_runs_in_the_background_and_offers_a_download(
    client, leader, two_closed, monkeypatch
):
    # The file goes to the test run's own attachments folder (settings.test): replacing STORAGES here would
    # give later tests a new storage object that models' file fields, bound at import, do not use.
    monkeypatch.setattr("services.reports.exports.LARGE_EXPORT_ROWS", 1)
    client.force_login(leader)
    with clock.travel_to(IN_2026), pytest.MonkeyPatch.context() as patch:
        patch.setattr("services.reports.tasks.export_task.delay", lambda job_id: None)
        response = client.get(
            reverse("web:reports-export"), {**YEAR_2025, "table": "drilldown", "part": "closed"}
        )
        job = ExportJob.objects.get()
        from services.reports.exports import run_job

        run_job(job.pk)
        status = client.get(response["Location"]).content.decode()
        download = client.get(reverse("web:reports-export-download", args=[job.pk]))

    assert response.status_code == 302
    assert "<progress" in status and reverse("web:reports-export-download", args=[job.pk]) in status
    rows = list(
        load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True)
    )
    header = rows.index(("编号", "标题", "企业", "一级分类", "承办单位", "状态", "提交时间", "办结时间"))
    assert len(rows) - header - 1 == 2
    assert ExportJob.objects.get().done == 2


def test_the_year_in_review_is_a_word_document_with_the_sentence(client, leader, two_closed):
    response = page(client, leader, "web:reports-year-review", {"year": "2025"})

    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "平台录入问题2件，办结率100%" in text
    assert "承办单位红黑榜" in text and len(document.tables) >= 2


def test_someone_elses_export_is_not_found(client, leader, dispatcher):
    job = ExportJob.objects.create(
        requested_by=dispatcher,
        query="part=closed",
        title="办结问题",
        created_at=IN_2026,
        expires_at=IN_2026 + dt.timedelta(days=7),
    )

    assert page(client, leader, "web:reports-export-status", None, job.pk).status_code == 404
