"""A property-based run of the whole API schema (schemathesis), in-process through the WSGI application.

A dispatcher, signed in with a token, sends generated requests to every operation the schema describes, over
a small district with issues in several stages. Every answer must be free of server errors, carry a
documented status code and match its documented response schema. The number of examples per operation is
bounded (``JIANGJIN_FUZZ_EXAMPLES``, default 25) so the run fits in CI.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.accounts.tokens import issue_token
from services.departments.models import Unit
from services.issues import actions
from services.issues.models import Issue, IssueAttachment
from tests.factories import issues as make

EXAMPLES = int(os.environ.get("JIANGJIN_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def district(db, enterprise_user, specialist, dispatcher, handler, unit_head, co_unit, category, other_unit):
    """Issues in several stages, so that generated ids often name something real."""
    base = {"enterprise_user": enterprise_user, "category": category, "dispatcher": dispatcher}
    make.filed(enterprise_user=enterprise_user, category=category)
    make.accepted(**base)
    make.dispatched(unit=handler.unit, co_units=[co_unit], **base)
    handling = make.handling(handler=handler, co_units=[co_unit], **base)
    actions.request_extension(issue=handling, actor=handler, working_days=3, reason="需协调用地指标")
    actions.add_attachment(
        issue=handling,
        actor=enterprise_user,
        upload=SimpleUploadedFile("用地红线图.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
    )
    make.responded(handler=handler, **base)
    make.under_review(handler=handler, **base)
    return dispatcher


@pytest.fixture
def token(district):
    return issue_token(district)[1]


@pytest.fixture
def aim(district):
    """Point most generated issue and unit ids at rows that exist, so actions reach their rules."""
    issue_ids = list(Issue.objects.order_by("pk").values_list("pk", flat=True))
    unit_ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    attachment_ids = list(IssueAttachment.objects.order_by("pk").values_list("pk", flat=True))

    def pick(ids: list[int], value):
        return ids[value % len(ids)] if type(value) is int else value

    def apply(case) -> None:
        if not case.path.startswith("/api/v1/issues/"):
            return
        params = case.path_parameters or {}
        if type(params.get("id")) is int and params["id"] >= 0:  # negative ids stay: the 404 path
            params["id"] = pick(issue_ids, params["id"])
        if type(params.get("attachment_id")) is int and params["attachment_id"] >= 0:
            params["attachment_id"] = pick(attachment_ids, params["attachment_id"])
        if isinstance(case.body, dict):
            for key, ids in (("into", issue_ids), ("lead_unit", unit_ids)):
                if key in case.body:
                    case.body[key] = pick(ids, case.body[key])
            if isinstance(case.body.get("co_units"), list):
                case.body["co_units"] = [pick(unit_ids, unit) for unit in case.body["co_units"]]

    return apply


@pytest.fixture
def keep_the_test_connection():
    """Django closes the database connection after each WSGI request; the test's transaction must survive."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def any_host(settings):
    settings.ALLOWED_HOSTS = ["*"]


def _live_schema():
    """The schema as /api/schema/ serves it, loaded at collection (one test per operation)."""
    with override_settings(ALLOWED_HOSTS=["*"]):
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


schema = _live_schema()


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    case, token, aim, any_host, keep_the_test_connection
):
    aim(case)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


# ---------------------------------------------------------------- a corpus of hostile inputs, over every operation

HOSTILE_IDS = ["1e400", "-1e400", "1.5", "true", "NaN", '"1e3"', "[" * 50_000 + "]" * 50_000]
HOSTILE_QUERY = {"integer": "9" * 40, "boolean": "maybe"}
PAGING = {"page", "page_size"}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _fill_path(path: str, issue_id: int) -> str:
    return path.replace("{id}", str(issue_id)).replace("{attachment_id}", "1").replace("{pk}", "1")


def _id_fields(schema: dict, operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema")
    if body is None:
        return []
    fields = []
    for name, prop in _resolve(schema, body).get("properties", {}).items():
        prop = _resolve(schema, prop)
        if prop.get("type") == "integer" or prop.get("items", {}).get("type") == "integer":
            fields.append((name, prop.get("type") == "array"))
    return fields


def test_no_hostile_id_body_or_filter_reaches_a_server_error_on_any_operation(token, district):
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.test import APIClient

    schema = SchemaGenerator().get_schema(request=None, public=True)
    issue_id = Issue.objects.order_by("pk").values_list("pk", flat=True).first()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    server_errors, tried = [], 0
    for path, method, operation in _operations(schema):
        if path.startswith("/api/v1/auth/"):
            continue  # the caller's own token must survive the run
        url = _fill_path(path, issue_id)
        for name, is_list in _id_fields(schema, operation):
            for hostile in HOSTILE_IDS:
                value = f"[{hostile}]" if is_list else hostile
                response = getattr(client, method)(
                    url, data=f'{{"{name}": {value}}}', content_type="application/json"
                )
                tried += 1
                if response.status_code >= 500 or response.status_code in (200, 201):
                    server_errors.append((method, path, name, hostile[:10], response.status_code))
        for parameter in operation.get("parameters", []):
            kind = parameter.get("schema", {}).get("type")
            if parameter.get("in") == "query" and kind in HOSTILE_QUERY:
                response = getattr(client, method)(f"{url}?{parameter['name']}={HOSTILE_QUERY[kind]}")
                tried += 1
                # A filter says 400; a page beyond the end is 404 and a page size is clamped, as DRF pages do.
                allowed = {400} if parameter["name"] not in PAGING else {200, 400, 404}
                if response.status_code not in allowed:
                    server_errors.append(
                        (method, path, parameter["name"], HOSTILE_QUERY[kind][:10], response.status_code)
                    )

    assert tried > 50
    assert server_errors == [], "\n".join(map(str, server_errors))
