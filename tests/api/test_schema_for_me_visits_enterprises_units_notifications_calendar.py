"""The schema describes me/, visits/, enterprises/, units/, categories/, notifications/ and calendar/ fully:
bilingual descriptions, request and response bodies, and every error in the one shape."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
PREFIXES = (
    "/api/v1/me/",
    "/api/v1/visits/",
    "/api/v1/enterprises/",
    "/api/v1/units/",
    "/api/v1/categories/",
    "/api/v1/notifications/",
    "/api/v1/calendar/",
)
EXPECTED_PATHS = {
    "/api/v1/me/",
    "/api/v1/visits/",
    "/api/v1/visits/{id}/",
    "/api/v1/visits/{id}/photos/{photo_id}/",
    "/api/v1/enterprises/",
    "/api/v1/enterprises/{id}/",
    "/api/v1/units/",
    "/api/v1/units/{id}/",
    "/api/v1/categories/",
    "/api/v1/notifications/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/notifications/read-all/",
    "/api/v1/calendar/days/",
    "/api/v1/calendar/overrides/",
    "/api/v1/calendar/overrides/{id}/",
    "/api/v1/calendar/years/",
    "/api/v1/calendar/years/{year}/",
}


@pytest.fixture(scope="module")
def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method): operation
        for path, item in schema["paths"].items()
        if path.startswith(PREFIXES)
        for method, operation in item.items()
    }


def test_every_route_is_in_the_schema(operations):
    assert {path for path, _method in operations} == EXPECTED_PATHS


def test_every_operation_describes_itself_in_chinese_and_english(operations):
    for (path, method), operation in operations.items():
        text = operation.get("summary", "") + operation.get("description", "")
        assert CJK.search(text) and LATIN_WORD.search(text), (method, path)


def test_every_operation_documents_its_errors_in_the_one_shape(operations):
    for (path, method), operation in operations.items():
        responses = operation["responses"]
        assert "401" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "put", "patch", "delete") and not path.startswith("/api/v1/notifications/"):
            assert "403" in responses, (method, path)
        for status, response in responses.items():
            if status.startswith("4"):
                assert (
                    response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
                )


def test_every_write_with_a_body_has_a_request_schema(operations):
    for (path, method), operation in operations.items():
        if method in ("post", "put", "patch") and not path.startswith("/api/v1/notifications/"):
            assert "requestBody" in operation, (method, path)


def test_every_success_has_a_response_schema(operations):
    for (path, method), operation in operations.items():
        successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        assert successes, (method, path)
        for status, response in successes.items():
            if status == "204":
                continue
            content = response["content"]
            # JSON, or a download: the bytes (application/octet-stream first, beside the real types).
            media = content.get("application/json") or content["application/octet-stream"]
            assert "schema" in media, (method, path)
