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
