"""The web workbench: each role's work list, filing, and every move on a problem's page, through the Django
client. The moves come from the same registry as the API: what a page offers is what the action allows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.core import clock
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import Issue, IssueAttachment, IssueEvent, Satisfaction
from services.notifications.models import Notification
from tests.factories import issues as make

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MARKUP = '<script>alert("x")</script>厂区道路<b>积水</b>'


def _client(client, user):
    client.force_login(user)
    return client


def _queries(client, url) -> int:
    """Statements of a page in the steady state: after one request (the header's unread count is cached)."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context)


def _move_url(issue, slug):
    return reverse("web:issue-move", args=[issue.pk, slug])


# ---------------------------------------------------------------- the enterprise


def test_an_enterprise_files_a_problem_with_a_pdf_and_lands_on_its_page(client, enterprise_user, category):
    response = _client(client, enterprise_user).post(
        reverse("web:issue-file"),
        {
            "category": category.pk,
            "urgency": "urgent",
            "title": "急需焊工30名（二期扩产）",
            "description": "订单增长，二期车间缺焊工；已在本地招聘网发布岗位一个月，应聘者不足5人。😟",
            "contact_name": "李晓梅",
            "contact_phone": "023-47521234",
            "files": [SimpleUploadedFile("岗位需求表（盖章）.pdf", PDF, content_type="application/pdf")],
        },
    )

    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:issue-detail", args=[issue.pk])
    assert (issue.title, issue.urgency, issue.status) == (
        "急需焊工30名（二期扩产）",
        "urgent",
        Status.SUBMITTED,
    )
    assert IssueAttachment.objects.get().name == "岗位需求表（盖章）.pdf"


def test_a_filing_with_a_missing_title_says_so_beside_the_field_keeps_the_input_and_saves_nothing(
    client, enterprise_user, category
):
    response = _client(client, enterprise_user).post(
        reverse("web:issue-file"),
        {"category": category.pk, "title": "", "description": "园区道路积水，货车无法进出。"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="file-title-error"' in page
    assert "园区道路积水，货车无法进出。" in page
    assert Issue.objects.count() == 0


def test_a_filing_with_a_program_renamed_to_pdf_is_refused_before_anything_is_saved(
    client, enterprise_user, category
):
    response = _client(client, enterprise_user).post(
        reverse("web:issue-file"),
        {
            "category": category.pk,
            "title": "厂房漏水",
            "description": "雨季厂房屋顶漏水。",
            "files": [SimpleUploadedFile("报价单.pdf", b"MZ\x90\x00program", content_type="application/pdf")],
        },
    )

    assert response.status_code == 400
    assert Issue.objects.count() == 0
    assert IssueAttachment.objects.count() == 0


def test_only_enterprise_users_open_the_filing_page(client, handler):
    assert _client(client, handler).get(reverse("web:issue-file")).status_code == 404


def test_closed_withdrawn_and_rejected_problems_stay_in_the_enterprises_list_under_their_tab(
    client, enterprise_user, dispatcher, handler, category
):
    closed = make.closed(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )
    withdrawn = make.filed(enterprise_user=enterprise_user, category=category, title="已撤回的诉求")
    actions.withdraw_issue(issue=withdrawn, actor=enterprise_user, reason="已自行解决")
    open_one = make.filed(enterprise_user=enterprise_user, category=category, title="仍在办理的诉求")
    web = _client(client, enterprise_user)

    finished = web.get("/?tab=closed").content.decode()
    running = web.get("/?tab=open").content.decode()

    assert closed.number in finished and withdrawn.number in finished
    assert open_one.number not in finished
    assert open_one.number in running and closed.number not in running


def test_the_enterprise_rates_an_answer_from_the_problem_page_and_it_closes(
    client, enterprise_user, dispatcher, handler, category
):
    issue = make.responded(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )
    web = _client(client, enterprise_user)
    evaluate = _move_url(issue, "evaluate")
    assert f'action="{evaluate}"' in web.get(f"/issues/{issue.pk}/").content.decode()

    response = web.post(
        _move_url(issue, "evaluate"),
        {
            "satisfaction": Satisfaction.SATISFIED,
            "was_contacted": "true",
            "was_solved": "true",
            "comment": "感谢！👍",
        },
    )

    issue.refresh_from_db()
    assert response.status_code == 302
    assert issue.status == Status.CLOSED
    assert (issue.was_contacted, issue.was_solved) == (True, True)


def test_a_dissatisfied_rating_without_a_reason_is_refused_beside_the_comment_and_changes_nothing(
    client, enterprise_user, dispatcher, handler, category
):
    issue = make.responded(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )
    events = IssueEvent.objects.count()

    response = _client(client, enterprise_user).post(
        _move_url(issue, "evaluate"),
        {
            "satisfaction": Satisfaction.DISSATISFIED,
            "was_contacted": "false",
            "was_solved": "false",
            "comment": "",
        },
    )

    page = response.content.decode()
    issue.refresh_from_db()
    assert response.status_code == 400
    assert "选择不满意时，请说明不满意的原因。" in page
    assert issue.status == Status.RESPONDED
    assert IssueEvent.objects.count() == events


def test_the_enterprise_withdraws_before_an_answer(client, enterprise_user, category):
    issue = make.filed(enterprise_user=enterprise_user, category=category)

    _client(client, enterprise_user).post(_move_url(issue, "withdraw"), {"reason": "问题已自行解决。"})

    issue.refresh_from_db()
    assert issue.status == Status.WITHDRAWN


def test_the_enterprise_adds_a_file_to_its_open_problem(client, enterprise_user, category):
    issue = make.filed(enterprise_user=enterprise_user, category=category)

    response = _client(client, enterprise_user).post(
        reverse("web:issue-attach", args=[issue.pk]),
        {"file": SimpleUploadedFile("补充说明.txt", "补充：需要夜班焊工10名。".encode()), "note": "补充材料"},
    )

    assert response.status_code == 302
    assert issue.attachments.get().name == "补充说明.txt"


# ---------------------------------------------------------------- the unit


def test_the_unit_signs_contacts_and_answers_from_the_problem_page(
    client, enterprise_user, dispatcher, handler, category
):
    issue = make.dispatched(
        enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
    )
    web = _client(client, handler)

    web.post(_move_url(issue, "acknowledge"))
    web.post(_move_url(issue, "contact"), {"note": "已电话联系李经理，约定周三现场查看。"})
    web.post(
        _move_url(issue, "respond"),
        {"outcome": "solved", "reply": "已推送焊工简历42份，企业已面试录用12人。"},
    )

    issue.refresh_from_db()
    assert issue.status == Status.RESPONDED
    kinds = list(issue.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["acknowledge", "record_contact", "respond"]


def test_a_refused_move_shows_the_actions_own_reason(client, enterprise_user, dispatcher, handler, category):
    issue = make.handling(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )
    web = _client(client, handler)
    web.post(_move_url(issue, "contact"), {"note": "已联系"})

    response = web.post(_move_url(issue, "contact"), {"note": "再次联系"})

    assert response.status_code == 400
    assert "已记录过首次联系。" in response.content.decode()


def test_the_unit_inbox_counts_what_to_sign_and_what_is_overdue_in_words(
    client, enterprise_user, dispatcher, handler, category
):
    make.dispatched(
        enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
    )
    make.handling(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)
    web = _client(client, handler)

    with clock.travel_to(clock.now() + dt.timedelta(days=40)):
        page = web.get("/").content.decode()

    assert "已超期" in page
    assert 'class="value">1</span><span class="label">待签收' in page
    assert 'class="value">2</span><span class="label">已超期' in page


# ---------------------------------------------------------------- the dispatcher


def test_the_dispatcher_accepts_and_dispatches_with_a_co_handling_unit(
    client, enterprise_user, dispatcher, unit, co_unit, category
):
    issue = make.filed(enterprise_user=enterprise_user, category=category)
    web = _client(client, dispatcher)
    web.post(_move_url(issue, "accept"), {"note": ""})

    page = web.get(f"/issues/{issue.pk}/").content.decode()
    web.post(
        _move_url(issue, "dispatch"), {"lead_unit": unit.pk, "co_units": [co_unit.pk], "complexity": "normal"}
    )

    issue.refresh_from_db()
    assert f'<option value="{unit.pk}" selected>' in page  # the category's default lead unit is suggested
    assert issue.status == Status.DISPATCHED
    assert set(issue.unit_parts.values_list("unit_id", "role")) == {(unit.pk, "lead"), (co_unit.pk, "co")}


def test_the_dispatchers_queue_finds_a_problem_by_its_number(client, enterprise_user, dispatcher, category):
    wanted = make.filed(enterprise_user=enterprise_user, category=category, title="电力增容申请")
    other = make.filed(enterprise_user=enterprise_user, category=category, title="融资需求")

    page = _client(client, dispatcher).get("/", {"q": wanted.number}).content.decode()

    assert wanted.title in page and other.title not in page


# ---------------------------------------------------------------- everyone


def test_opening_a_notification_marks_it_read_and_goes_to_its_problem(client, enterprise_user, category):
    issue = make.filed(enterprise_user=enterprise_user, category=category)
    notification = Notification.objects.create(
        recipient=enterprise_user,
        kind="test",
        title="您的诉求已受理",
        url=f"/issues/{issue.pk}/",
        source_key="t1",
    )

    response = _client(client, enterprise_user).post(reverse("web:notification-open", args=[notification.pk]))

    notification.refresh_from_db()
    assert response["Location"] == f"/issues/{issue.pk}/"
    assert notification.read_at is not None


def test_another_users_notification_cannot_be_opened(client, enterprise_user, other_enterprise_user):
    notification = Notification.objects.create(
        recipient=other_enterprise_user, kind="t", title="x", source_key="t2"
    )

    response = _client(client, enterprise_user).post(reverse("web:notification-open", args=[notification.pk]))

    assert response.status_code == 404


def test_a_problem_page_and_its_moves_answer_404_to_whoever_may_not_see_it(
    client, enterprise_user, other_enterprise_user, category
):
    issue = make.filed(enterprise_user=enterprise_user, category=category)
    web = _client(client, other_enterprise_user)

    assert web.get(f"/issues/{issue.pk}/").status_code == 404
    assert web.post(_move_url(issue, "withdraw"), {"reason": "x"}).status_code == 404
    issue.refresh_from_db()
    assert issue.status == Status.SUBMITTED


def test_user_text_with_markup_shows_as_text_on_every_work_list_and_the_problem_page(
    client, enterprise_user, dispatcher, handler, category
):
    issue = make.handling(
        enterprise_user=enterprise_user,
        dispatcher=dispatcher,
        handler=handler,
        category=category,
        title=MARKUP[:100],
    )
    for user, url in (
        (enterprise_user, "/?tab=open"),
        (handler, "/"),
        (dispatcher, "/?queue=all"),
        (dispatcher, f"/issues/{issue.pk}/"),
    ):
        page = _client(client, user).get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert" in page


@pytest.mark.parametrize("who", ["enterprise", "unit", "dispatcher"])
def test_the_work_lists_query_count_does_not_grow_with_the_rows(
    who, client, enterprise_user, dispatcher, handler, category
):
    user = {"enterprise": enterprise_user, "unit": handler, "dispatcher": dispatcher}[who]
    url = {"enterprise": "/?tab=all", "unit": "/", "dispatcher": "/?queue=all"}[who]
    make.handling(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)
    web = _client(client, user)
    few = _queries(web, url)

    for _ in range(6):
        make.handling(
            enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
        )
    many = _queries(web, url)

    assert many == few


def test_the_problem_pages_query_count_does_not_grow_with_its_history(
    client, enterprise_user, dispatcher, handler, co_unit, category
):
    issue = make.handling(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )
    # With no file the page does not ask for files at all (every file comes with an "attach" event).
    actions.add_attachment(
        issue=issue, actor=dispatcher, upload=SimpleUploadedFile("说明.txt", "材料".encode())
    )
    web = _client(client, dispatcher)
    few = _queries(web, f"/issues/{issue.pk}/")

    for n in range(4):
        actions.add_attachment(
            issue=issue, actor=dispatcher, upload=SimpleUploadedFile(f"说明{n}.txt", "材料".encode())
        )
    actions.record_first_contact(issue=issue, actor=handler, note="已联系")
    many = _queries(web, f"/issues/{issue.pk}/")

    assert many == few


def test_the_problem_page_lists_every_file_added_to_the_problem(
    client, enterprise_user, dispatcher, handler, category
):
    issue = make.handling(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )
    for name in ("营业执照.pdf.txt", "用电申请（第二版）.txt"):
        actions.add_attachment(
            issue=issue, actor=dispatcher, upload=SimpleUploadedFile(name, "材料".encode())
        )

    page = _client(client, handler).get(f"/issues/{issue.pk}/").content.decode()

    assert "营业执照.pdf.txt" in page and "用电申请（第二版）.txt" in page


def test_a_deadline_counted_monday_to_friday_says_so_on_the_page_and_in_the_api(
    client, enterprise_user, dispatcher, handler, category
):
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 12, 28, 10, 0))):
        issue = make.handling(
            enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
        )
        web = _client(client, handler)
        page = web.get(f"/issues/{issue.pk}/").content.decode()
        clocks = web.get(f"/api/v1/issues/{issue.pk}/").json()["clocks"]

    answer = next(c for c in clocks if c["stage"] == "answer")
    assert answer["due_from_fallback"] is True  # 2027's holidays are not in the State Council data yet
    assert "按周一至周五推算" in page


def test_an_inbox_row_whose_soonest_due_was_counted_monday_to_friday_says_so(
    client, enterprise_user, dispatcher, handler, category
):
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 12, 31, 10, 0))):
        make.dispatched(
            enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
        )
        inbox = _client(client, handler).get("/").content.decode()
        queue = _client(client, dispatcher).get("/?queue=all").content.decode()

    # Signing falls due in 2027, whose holidays the State Council data does not hold yet.
    assert 'class="badge fallback">按周一至周五推算' in inbox
    assert 'class="badge fallback">按周一至周五推算' in queue
