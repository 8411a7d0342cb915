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


# ---------------------------------------------------------------- what a generated client needs (issue #13)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _component(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_the_title_is_ascii_and_the_schema_carries_the_apis_version(schema):
    assert schema["info"]["title"].isascii()
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema["info"]["version"])


def test_request_bodies_are_json_except_the_uploads_which_are_multipart_with_a_binary_file(schema):
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        if path.endswith("/attachments/") and method == "post":
            assert list(content) == ["multipart/form-data"], path
            upload = _component(schema, content["multipart/form-data"]["schema"]["$ref"])
            file = upload["properties"]["file"]
            assert (file["type"], file["format"]) == ("string", "binary")
        elif content:
            assert list(content) == ["application/json"], (method, path)


def test_request_models_carry_no_read_only_field(schema):
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            read_only = [key for key, prop in component.get("properties", {}).items() if prop.get("readOnly")]
            assert not read_only, (name, read_only)


def test_downloads_offer_the_bytes_as_octet_stream_first(schema):
    for path in (
        "/api/v1/issues/{id}/attachments/{attachment_id}/",
        "/api/v1/visits/{id}/photos/{photo_id}/",
    ):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert next(iter(content)) == "application/octet-stream", path
        assert all(media["schema"] == {"type": "string", "format": "binary"} for media in content.values())


def test_names_are_english_and_enums_are_declared_once(schema):
    names = list(schema["components"]["schemas"])
    assert all(name.isascii() for name in names)
    assert "BlankEnum" not in names
    assert not [name for name in names if name.startswith("Paginated")]
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            inline = parameter["schema"].get("enum") or parameter["schema"].get("items", {}).get("enum")
            assert inline is None, (method, path, parameter["name"])


def test_the_shared_enums_have_their_own_names(schema):
    names = set(schema["components"]["schemas"])

    assert {
        "StatusEnum",
        "UrgencyEnum",
        "OutcomeEnum",
        "SatisfactionEnum",
        "EventKindEnum",
        "FigureEnum",
    } <= names
    issues = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/issues/"]["get"]["parameters"]}
    event = schema["components"]["schemas"]["IssueEvent"]["properties"]
    assert issues["status"]["items"] == {"$ref": "#/components/schemas/StatusEnum"}
    assert event["kind"]["allOf"] == [{"$ref": "#/components/schemas/EventKindEnum"}]
    assert event["data"]["type"] == "object"


def test_the_error_code_is_the_shared_enum_of_every_registered_code(schema):
    from services.core.errors import ErrorCode

    code = schema["components"]["schemas"]["Error"]["properties"]["code"]
    enum = schema["components"]["schemas"]["ErrorCodeEnum"]

    assert code["allOf"] == [{"$ref": "#/components/schemas/ErrorCodeEnum"}]
    assert enum["enum"] == ErrorCode.values
    assert all(f"`{value}` - " in enum["description"] for value in ErrorCode.values)


def test_yes_no_filters_are_booleans_and_ids_are_integers(schema):
    issues = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/issues/"]["get"]["parameters"]}
    visits = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/visits/"]["get"]["parameters"]}

    assert issues["overdue"] == {"type": "boolean"}
    for name in ("lead_unit", "town", "park", "category"):
        assert issues[name]["type"] == "integer", name
    assert visits["enterprise"]["type"] == visits["specialist"]["type"] == "integer"


def test_the_inbox_lists_no_parameter_it_would_ignore(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/issues/inbox/"]["get"]["parameters"]}

    assert "ordering" not in names
    assert {"cursor", "page_size", "status"} <= names


def test_every_list_is_a_page_with_its_cursor_beside_next(schema):
    pages = 0
    for path, _method, operation in _operations(schema):
        ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        ref = ok.get("schema", {}).get("$ref", "")
        if not ref.endswith("Page"):
            continue
        pages += 1
        properties = _component(schema, ref)["properties"]
        assert {"next", "previous", "next_cursor", "previous_cursor", "results"} <= set(properties), path
        assert "cursor" in {p["name"] for p in operation["parameters"]}, path
    assert pages >= 8


def test_the_token_scheme_is_http_bearer(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
