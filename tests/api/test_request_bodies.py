"""Request bodies are what the schema says: JSON, except the upload, which is multipart. Anything else is 415
in the one error shape, saying which media type the endpoint takes."""

import re
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from services.issues.models import IssueAttachment
from tests.factories import issues as make
from tests.issues.state import database_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def accepted_issue(dispatcher, enterprise_user, category):
    return make.accepted(dispatcher=dispatcher, enterprise_user=enterprise_user, category=category)


@pytest.fixture
def handling_issue(enterprise_user, dispatcher, handler, category):
    return make.handling(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )


def test_a_form_body_where_json_belongs_is_415_in_chinese_and_nothing_changes(
    accepted_issue, unit, client_for, dispatcher
):
    before = database_state()

    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/dispatch/",
        data=urlencode({"lead_unit": unit.pk}),
        content_type=FORM,
    )

    assert response.status_code == 415
    assert response.json() == {
        "code": "unsupported_media_type",
        "message": "此接口的请求体须为 application/json 格式，不接受“application/x-www-form-urlencoded”。",
        "fields": {},
    }
    assert database_state() == before


def test_a_multipart_body_where_json_belongs_is_415_in_english_when_asked(
    client_for, enterprise_user, category
):
    response = client_for(enterprise_user).post(
        "/api/v1/issues/",
        {"category": category.pk, "title": "用电增容", "description": "新产线需增容"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 415
    assert response.json() == {
        "code": "unsupported_media_type",
        "message": "This endpoint takes its request body as application/json, not “multipart/form-data”.",
        "fields": {},
    }


def test_the_token_endpoint_takes_no_form_login(client_for, enterprise_user):
    response = client_for(None).post(
        "/api/v1/auth/token/",
        data=urlencode({"username": enterprise_user.username, "password": "jiangjin-test"}),
        content_type=FORM,
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "token" not in response.json()


def test_a_body_without_a_content_type_is_415_and_says_to_name_one(accepted_issue, client_for, dispatcher):
    response = client_for(dispatcher).generic(
        "POST", f"/api/v1/issues/{accepted_issue.pk}/accept/", b'{"note": "x"}', content_type=""
    )

    assert response.status_code == 415
    assert (
        response.json()["message"]
        == "此接口的请求体须为 application/json 格式，请在 Content-Type 请求头中注明。"
    )


def test_the_same_body_as_json_is_accepted(accepted_issue, unit, client_for, dispatcher):
    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/dispatch/", {"lead_unit": unit.pk}, format="json"
    )

    assert response.status_code == 200, response.content


# ---------------------------------------------------------------- the upload: multipart only


def test_a_multipart_upload_still_works(handling_issue, client_for, enterprise_user):
    upload = SimpleUploadedFile("用地红线图.pdf", PDF, content_type="application/pdf")

    response = client_for(enterprise_user).post(
        f"/api/v1/issues/{handling_issue.pk}/attachments/",
        {"file": upload, "note": "盖章版"},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert IssueAttachment.objects.get().name == "用地红线图.pdf"


def test_an_upload_sent_as_json_is_415_naming_multipart(handling_issue, client_for, enterprise_user):
    response = client_for(enterprise_user).post(
        f"/api/v1/issues/{handling_issue.pk}/attachments/", {"note": "盖章版"}, format="json"
    )

    assert response.status_code == 415
    assert (
        response.json()["message"]
        == "此接口的请求体须为 multipart/form-data 格式，不接受“application/json”。"
    )
    assert not IssueAttachment.objects.exists()


def test_an_upload_whose_form_fields_are_over_the_size_limit_is_413_in_the_one_shape(
    handling_issue, client_for, enterprise_user, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    upload = SimpleUploadedFile("用地红线图.pdf", PDF, content_type="application/pdf")

    response = client_for(enterprise_user).post(
        f"/api/v1/issues/{handling_issue.pk}/attachments/",
        {"file": upload, "note": "很" * 20_000},
        format="multipart",
    )

    assert response.status_code == 413
    assert response.json() == {"code": "too_large", "message": "请求内容过大。", "fields": {}}
    assert not IssueAttachment.objects.exists()


# ---------------------------------------------------------------- the parsers and the schema agree


def _concrete(path: str) -> str:
    """A path of the schema with each {parameter} filled, for the URL resolver."""
    return re.sub(r"\{[^}]+\}", "1", path.replace("{year}", "2026"))


def test_each_operation_parses_exactly_the_media_types_its_schema_lists():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    checked = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            listed = list(operation.get("requestBody", {}).get("content", {}))
            if not listed:
                continue
            view = resolve(_concrete(path)).func.cls
            parsed = [parser.media_type for parser in view().get_parsers()]
            checked.append((method, path, parsed, listed))

    assert len(checked) > 20
    assert [c for c in checked if c[2] != c[3]] == []


def test_the_browsable_api_still_renders_and_its_raw_form_posts_json(client_for, enterprise_user):
    response = client_for(enterprise_user).get("/api/v1/issues/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_content_type"' in page
    assert '<option value="application/json"' in page
    assert "multipart/form-data</option>" not in page
