"""/api/v1/issues/{id}/attachments/: list, upload (multipart) and download, for every role."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import ScopedRateThrottle

from services.issues import actions
from services.issues.models import IssueAttachment
from tests.factories import issues as make
from tests.issues.state import database_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
NAME = "江津区用地规划许可申请表（盖章版）📎.pdf"


def pdf(name: str = NAME, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def issue(enterprise_user, dispatcher, handler, category, co_unit):
    return make.handling(
        enterprise_user=enterprise_user,
        dispatcher=dispatcher,
        handler=handler,
        category=category,
        co_units=[co_unit],
    )


@pytest.fixture
def attached(issue, enterprise_user):
    return actions.add_attachment(issue=issue, actor=enterprise_user, upload=pdf(), note="盖章版")


def _url(issue, attachment=None) -> str:
    base = f"/api/v1/issues/{issue.pk}/attachments/"
    return base if attachment is None else f"{base}{attachment.pk}/"


def test_the_enterprise_uploads_a_file_and_gets_its_description(issue, client_for, enterprise_user):
    response = client_for(enterprise_user).post(
        _url(issue), {"file": pdf(), "note": "补充材料"}, format="multipart"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    attachment = IssueAttachment.objects.get()
    assert body["id"] == attachment.pk
    assert body["name"] == NAME
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["uploaded_by"] == {"id": enterprise_user.pk, "name": enterprise_user.name}
    assert body["download_url"] == f"http://testserver{_url(issue, attachment)}"


def test_the_list_shows_the_issues_files_oldest_first(issue, attached, client_for, handler, enterprise_user):
    later = actions.add_attachment(issue=issue, actor=handler, upload=pdf("答复函.pdf"))

    rows = client_for(enterprise_user).get(_url(issue)).json()

    assert [row["id"] for row in rows] == [attached.pk, later.pk]
    assert [row["name"] for row in rows] == [NAME, "答复函.pdf"]


def test_the_list_costs_the_same_queries_however_many_files(
    issue, attached, client_for, enterprise_user, handler
):
    client = client_for(enterprise_user)
    with CaptureQueriesContext(connection) as one:
        client.get(_url(issue))
    for n in range(5):
        actions.add_attachment(issue=issue, actor=handler, upload=pdf(f"现场照片说明{n}.pdf"))
    with CaptureQueriesContext(connection) as six:
        client.get(_url(issue))

    assert len(one) == len(six) == 2  # the visible issue, its files with their uploaders


def test_the_download_is_the_file_as_an_attachment_with_its_chinese_name(
    issue, attached, client_for, handler
):
    response = client_for(handler).get(_url(issue, attached), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=utf-8''{quote(NAME)}" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_of_another_issue_is_not_found(issue, attached, client_for, enterprise_user, category):
    other = make.filed(enterprise_user=enterprise_user, category=category)

    response = client_for(enterprise_user).get(f"/api/v1/issues/{other.pk}/attachments/{attached.pk}/")

    assert response.status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_a_crash(issue, attached, client_for, enterprise_user):
    attached.file.storage.delete(attached.file.name)

    response = client_for(enterprise_user).get(_url(issue, attached))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# ---------------------------------------------------------------- who may do what


@pytest.mark.parametrize(
    ("role", "listing", "uploading", "downloading"),
    [
        ("anonymous", 401, 401, 401),
        ("enterprise_user", 200, 201, 200),
        ("other_enterprise_user", 404, 404, 404),
        ("specialist", 200, 201, 200),
        ("idle_specialist", 404, 404, 404),
        ("handler", 200, 201, 200),
        ("unit_head", 200, 201, 200),
        ("co_handler", 200, 201, 200),
        ("other_handler", 404, 404, 404),
        ("dispatcher", 200, 201, 200),
        ("leader", 200, 403, 200),
        ("administrator", 200, 403, 200),
    ],
)
def test_each_role_gets_the_exact_answer_and_a_refused_upload_keeps_nothing(
    role, listing, uploading, downloading, request, issue, attached, client_for
):
    client = client_for(None if role == "anonymous" else request.getfixturevalue(role))

    assert client.get(_url(issue)).status_code == listing
    assert client.get(_url(issue, attached)).status_code == downloading
    before = database_state()
    response = client.post(_url(issue), {"file": pdf("补充材料.pdf")}, format="multipart")
    assert response.status_code == uploading
    if uploading != 201:
        assert database_state() == before


def test_an_invisible_issue_answers_exactly_like_a_missing_one(
    issue, attached, client_for, other_enterprise_user
):
    client = client_for(other_enterprise_user)

    hidden = client.get(_url(issue))
    missing = client.get("/api/v1/issues/999999999/attachments/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_refusal_names_who_may_upload(issue, client_for, leader):
    response = client_for(leader).post(_url(issue), {"file": pdf()}, format="multipart")

    assert (
        response.json()["message"] == "只有提出诉求的企业、其服务专员、调度员和正在办理的单位可以上传附件。"
    )


def test_a_closed_issue_takes_no_more_files(client_for, enterprise_user, dispatcher, handler, category):
    issue = make.closed(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )

    response = client_for(enterprise_user).post(_url(issue), {"file": pdf()}, format="multipart")

    assert response.status_code == 409
    assert not IssueAttachment.objects.exists()


# ---------------------------------------------------------------- bad input


def test_a_program_renamed_to_pdf_is_refused_in_chinese(issue, client_for, enterprise_user):
    response = client_for(enterprise_user).post(
        _url(issue), {"file": pdf("报价单.pdf", b"MZ\x90\x00\x03\x00\x00\x00")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["文件内容与扩展名“pdf”不符。"]}


def test_the_refusal_is_english_for_an_english_client(issue, client_for, enterprise_user):
    response = client_for(enterprise_user).post(
        _url(issue), {"file": pdf("报价单.exe", b"MZ")}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["file"][0].startswith("This kind of file is not accepted.")


def test_an_upload_without_a_file_says_so(issue, client_for, enterprise_user):
    response = client_for(enterprise_user).post(_url(issue), {"note": "忘了选文件"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"file"}


def test_a_json_body_is_refused_as_an_unsupported_media_type(issue, client_for, enterprise_user):
    response = client_for(enterprise_user).post(_url(issue), {"file": "JVBERi0="}, format="json")

    assert response.status_code == 415
    assert not IssueAttachment.objects.exists()


def test_uploads_are_throttled(issue, client_for, enterprise_user, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"upload": "2/hour"})
    client = client_for(enterprise_user)

    answers = [
        client.post(_url(issue), {"file": pdf(f"材料{n}.pdf")}, format="multipart").status_code
        for n in range(3)
    ]

    assert answers == [201, 201, 429]
