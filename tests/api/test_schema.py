"""The OpenAPI schema: served, valid, and complete for the issue endpoints."""

import re

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _issue_operations(schema):
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/issues") or path.startswith("/api/v1/auth/"):
            for method, operation in item.items():
                yield path, method, operation


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_the_schema_and_the_docs_are_served(client):
    served = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert served.status_code == 200
    assert "/api/v1/issues/{id}/dispatch/" in yaml.safe_load(served.content)["paths"]
    assert docs.status_code == 200


def test_every_issue_action_has_a_route_in_the_schema(schema):
    from services.issues.api import ACTION_VIEWS

    for action in ACTION_VIEWS:
        assert "post" in schema["paths"][f"/api/v1/issues/{{id}}/{action}/"], action


def test_every_issue_endpoint_describes_itself_in_chinese_and_english(schema):
    for path, method, operation in _issue_operations(schema):
        text = operation.get("summary", "") + operation.get("description", "")
        assert CJK.search(text) and LATIN_WORD.search(text), (method, path)


def test_every_issue_endpoint_documents_its_errors_in_the_one_shape(schema):
    for path, method, operation in _issue_operations(schema):
        responses = operation["responses"]
        assert "400" in responses or method == "get", (method, path)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, status)
        if "{id}" in path:
            assert "404" in responses, (method, path)
        if path.endswith("/") and "{id}/" in path and method == "post":
            assert {"400", "403", "404", "409"} <= set(responses), path


def test_every_write_has_a_request_schema(schema):
    for path, method, operation in _issue_operations(schema):
        if method == "post" and not path.endswith("/acknowledge/"):
            assert "requestBody" in operation, path


def test_every_operation_that_reads_a_body_documents_the_415_for_one_it_cannot_parse(schema):
    with_body = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]

    assert len(with_body) > 20
    for path, method, operation in with_body:
        answer = operation["responses"].get("415")
        assert answer, f"{method.upper()} {path} does not document 415"
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_an_attachment_download_documents_each_type_it_may_answer_with(schema):
    download = schema["paths"]["/api/v1/issues/{id}/attachments/{attachment_id}/"]["get"]

    assert {"application/pdf", "image/jpeg", "application/ofd"} <= set(
        download["responses"]["200"]["content"]
    )
