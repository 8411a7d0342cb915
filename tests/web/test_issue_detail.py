import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.issues import actions
from services.issues.models import Issue
from tests.factories import EnterpriseUserFactory
from tests.factories import issues as make

pytestmark = pytest.mark.django_db


def detail(client, user, issue_id):
    client.force_login(user)
    return client.get(reverse("web:issue-detail", args=[issue_id]))


def test_an_enterprise_user_sees_its_own_issue(client, at, enterprise_user, category):
    with at():
        issue = make.filed(enterprise_user=enterprise_user, category=category)

    response = detail(client, enterprise_user, issue.pk)

    assert response.status_code == 200
    assert issue.title in response.content.decode()


def test_another_enterprises_issue_looks_exactly_like_a_missing_one(client, at, enterprise_user, category):
    with at():
        theirs = make.filed(enterprise_user=EnterpriseUserFactory(), category=category)
    missing_id = Issue.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    not_ours = detail(client, enterprise_user, theirs.pk)
    missing = detail(client, enterprise_user, missing_id)

    assert not_ours.status_code == missing.status_code == 404
    assert not_ours.content == missing.content


def test_a_unit_cannot_open_an_issue_dispatched_to_another_unit(
    client, at, enterprise_user, dispatcher, other_handler, handler, category
):
    with at():
        issue = make.dispatched(
            enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
        )

    assert detail(client, other_handler, issue.pk).status_code == 404
    assert detail(client, handler, issue.pk).status_code == 200


def test_the_history_reads_in_chinese_with_who_did_what(
    client, at, enterprise_user, dispatcher, handler, category
):
    with at():
        issue = make.responded(
            enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
        )

    page = detail(client, enterprise_user, issue.pk).content.decode()

    for label in ("提交", "受理", "派单", "签收", "答复"):
        assert f'<span class="what">{label}</span>' in page
    assert "待受理 → 待派单" in page
    assert "办理中 → 已答复待评价" in page
    assert "王调度" in page
    assert "陈经办（区人力社保局）" in page
    assert "已对接区就业服务中心，推送焊工简历42份。" in page
    assert "已解决" in page  # the answer's outcome, by its label
    assert "2026-03-02 09:00" in page


def test_the_stage_clocks_say_whether_each_stage_was_on_time(
    client, at, enterprise_user, dispatcher, handler, category
):
    with at():
        issue = make.dispatched(
            enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
        )
    with at(days=3):  # Thursday: signing was due on Tuesday
        actions.acknowledge_issue(issue=issue, actor=handler)
        page = detail(client, dispatcher, issue.pk).content.decode()

    assert '<span class="badge verdict-on_time">按时</span>' in page  # accepted at once
    assert '<span class="badge verdict-late">超期</span>' in page  # signed two days late
    assert '<span class="badge verdict-running">进行中</span>' in page  # the answer is not due yet
    assert "2026-03-03 23:59" in page  # one working day after Monday


def test_a_title_with_markup_and_emoji_is_shown_escaped(client, at, enterprise_user, category):
    title = "<script>alert('焊工')</script>🔥" + "江津区双福工业园区企业用工缺口较大急需协调" * 3
    with at():
        issue = make.filed(
            enterprise_user=enterprise_user, category=category, title=title, description="<b>订单</b>增长😀"
        )

    page = detail(client, enterprise_user, issue.pk).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;焊工&#x27;)&lt;/script&gt;🔥" in page
    assert "&lt;b&gt;订单&lt;/b&gt;增长😀" in page


def _queries_for_detail(client, issue_id):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:issue-detail", args=[issue_id])).status_code == 200
    return len(queries)


def test_the_detail_query_count_does_not_grow_with_the_history(
    client, django_assert_max_num_queries, at, enterprise_user, dispatcher, handler, other_handler, category
):
    with at():
        short = make.handling(
            enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
        )
        long = make.dispatched(
            enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
        )
        long = actions.send_back_issue(issue=long, actor=handler, reason="不属于本单位职责")
        long = actions.transfer_issue(
            issue=long, actor=dispatcher, lead_unit=other_handler.unit, note="转规划自然资源局"
        )
        long = actions.acknowledge_issue(issue=long, actor=other_handler)
        long = actions.record_first_contact(issue=long, actor=other_handler, note="已电话联系企业负责人")
    assert long.events.count() >= short.events.count() + 3
    client.force_login(dispatcher)
    _queries_for_detail(client, short.pk)  # warm up anything cached per process
    baseline = _queries_for_detail(client, short.pk)

    with django_assert_max_num_queries(baseline):
        response = client.get(reverse("web:issue-detail", args=[long.pk]))

    page = response.content.decode()
    assert "赵经办（区规划自然资源局）" in page
    assert "不属于本单位职责" in page


def test_the_attachments_are_listed_with_their_chinese_names_and_download_links(
    client, at, enterprise_user, dispatcher, handler, category
):
    with at():
        issue = make.handling(
            enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
        )
        attachment = actions.add_attachment(
            issue=issue,
            actor=enterprise_user,
            upload=SimpleUploadedFile("厂区<用地>红线图.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
        )

    page = detail(client, handler, issue.pk).content.decode()

    assert "厂区&lt;用地&gt;红线图.pdf" in page
    assert f'href="/api/v1/issues/{issue.pk}/attachments/{attachment.pk}/"' in page
    assert client.get(f"/api/v1/issues/{issue.pk}/attachments/{attachment.pk}/").status_code == 200


def test_an_issue_without_attachments_says_so(client, at, enterprise_user, category):
    with at():
        issue = make.filed(enterprise_user=enterprise_user, category=category)

    assert "暂无附件。" in detail(client, enterprise_user, issue.pk).content.decode()
