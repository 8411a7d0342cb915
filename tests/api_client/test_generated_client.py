"""A client generated from the live schema works as generated: an integrator's view of the API.

openapi-python-client (pinned in the dev dependencies) generates a package from ``/api/schema/`` with no
configuration file; pip installs it; every module imports; then a whole lifecycle runs through its typed
functions only, against the application in-process (httpx's WSGI transport, the test's own database
transaction): filing with a PDF, dispatch, sign, contact, answer, rating, the history, the PDF downloaded
byte for byte, a visit with a problem found, the unit's inbox page by page, the 2023 summary. Every refusal
comes back as the typed ``Error`` model, its code a member of the typed ``ErrorCodeEnum``.
"""

import sys
from datetime import timedelta
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from services.core import clock
from tests.api_client.generated import (
    BASE_URL,
    PACKAGE,
    fetch_schema,
    generate_and_install,
    import_every_module,
)
from tests.factories import issues as make
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = [pytest.mark.django_db, pytest.mark.api_client]

PASSWORD = "jiangjin-test"  # tests/factories: every user's password
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
# Tuesday 3 March 2026, 10:00 in Jiangjin: a working day.
WORKING_DAY = shanghai(2026, 3, 3, 10)


@pytest.fixture(scope="module")
def transport():
    return httpx.WSGITransport(app=get_wsgi_application())


@pytest.fixture(scope="module")
def api(transport, tmp_path_factory, django_db_blocker):
    """The generated package, installed in a folder of this module's own and importable while it runs."""
    with django_db_blocker.unblock():
        schema = fetch_schema(transport)
    target = generate_and_install(schema, tmp_path_factory.mktemp("api-client"))
    sys.path.insert(0, str(target))
    try:
        package = __import__(PACKAGE)
        yield package
    finally:
        sys.path.remove(str(target))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(autouse=True)
def _requests_share_the_tests_transaction():
    """Django closes the database connection after each WSGI request; the test's transaction must survive."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _on_a_working_day_with_fresh_throttles():
    cache.clear()
    with clock.travel_to(WORKING_DAY):
        yield
    cache.clear()


@pytest.fixture
def sign_in(api, transport):
    """``sign_in(user)``: an ``AuthenticatedClient`` with the token the token endpoint gave that user."""
    from jiangjin_enterprise_service_api_client import AuthenticatedClient, Client
    from jiangjin_enterprise_service_api_client.api.auth import auth_token_create
    from jiangjin_enterprise_service_api_client.models import AuthTokenRequest, Token

    def make(user) -> AuthenticatedClient:
        anonymous = Client(base_url=BASE_URL, httpx_args={"transport": transport})
        token = auth_token_create.sync(
            client=anonymous, body=AuthTokenRequest(username=user.username, password=PASSWORD)
        )
        assert isinstance(token, Token), token
        # The generator's default prefix ("Bearer"): the schema's security scheme says it is accepted.
        return AuthenticatedClient(base_url=BASE_URL, token=token.token, httpx_args={"transport": transport})

    return make


def assert_error(result, code: str, *fields: str) -> None:
    from jiangjin_enterprise_service_api_client.models import Error, ErrorCodeEnum

    assert isinstance(result, Error), result
    assert result.code == ErrorCodeEnum(code), result
    assert isinstance(result.code, ErrorCodeEnum), result
    assert result.message
    assert set(result.fields.additional_properties) >= set(fields), result.fields.additional_properties


# ---------------------------------------------------------------- the package itself


def test_the_generated_client_installs_under_an_english_name_and_every_module_imports(api):
    modules = import_every_module(api)

    assert api.__name__ == PACKAGE
    assert f"{PACKAGE}.api.issues.issues_dispatch" in modules
    assert f"{PACKAGE}.models.issue_list_page" in modules
    assert all(name.isascii() for name in modules)


def test_request_models_carry_no_read_only_fields(api):
    from jiangjin_enterprise_service_api_client.models import AuthTokenRequest, IssueCreateRequest

    assert set(AuthTokenRequest.__annotations__) == {"username", "password", "additional_properties"}
    assert "id" not in IssueCreateRequest.__annotations__
    assert "status" not in IssueCreateRequest.__annotations__


# ---------------------------------------------------------------- a whole lifecycle


def test_a_problem_goes_from_filing_to_rating_through_the_typed_functions(
    api, sign_in, enterprise_user, dispatcher, handler, category, unit
):
    from jiangjin_enterprise_service_api_client.api.issues import (
        issues_accept,
        issues_acknowledge,
        issues_attachments_create,
        issues_attachments_download,
        issues_contact,
        issues_create,
        issues_dispatch,
        issues_evaluate,
        issues_events_list,
        issues_respond,
    )
    from jiangjin_enterprise_service_api_client.models import (
        EventKindEnum,
        IssueAttachment,
        IssueAttachmentInputRequest,
        IssueCreateRequest,
        IssueDetail,
        IssueDispatchInputRequest,
        IssueEvaluateInputRequest,
        IssueNoteInputRequest,
        IssueRequiredNoteInputRequest,
        IssueRespondInputRequest,
        OutcomeEnum,
        SatisfactionEnum,
        StatusEnum,
    )
    from jiangjin_enterprise_service_api_client.types import File

    enterprise, desk, unit_staff = sign_in(enterprise_user), sign_in(dispatcher), sign_in(handler)

    filed = issues_create.sync(
        client=enterprise,
        body=IssueCreateRequest(
            category=category.pk, title="用地红线调整", description="厂房扩建需要调整用地红线，附红线图。"
        ),
    )
    assert isinstance(filed, IssueDetail), filed
    assert filed.status == StatusEnum.SUBMITTED
    pdf = File(payload=BytesIO(PDF), file_name="用地红线图.pdf", mime_type="application/pdf")
    attachment = issues_attachments_create.sync(
        filed.id, client=enterprise, body=IssueAttachmentInputRequest(file=pdf, note="红线图")
    )
    assert isinstance(attachment, IssueAttachment), attachment

    assert (
        issues_accept.sync(filed.id, client=desk, body=IssueNoteInputRequest()).status == StatusEnum.ACCEPTED
    )
    dispatched = issues_dispatch.sync(
        filed.id, client=desk, body=IssueDispatchInputRequest(lead_unit=unit.pk)
    )
    assert dispatched.status == StatusEnum.DISPATCHED
    assert issues_acknowledge.sync(filed.id, client=unit_staff).status == StatusEnum.HANDLING
    contacted = issues_contact.sync(
        filed.id, client=unit_staff, body=IssueRequiredNoteInputRequest(note="已电话联系企业负责人李晓梅。")
    )
    assert isinstance(contacted, IssueDetail), contacted
    answered = issues_respond.sync(
        filed.id,
        client=unit_staff,
        body=IssueRespondInputRequest(outcome=OutcomeEnum.SOLVED, reply="红线调整已列入本月规委会议题。"),
    )
    assert answered.status == StatusEnum.RESPONDED
    rated = issues_evaluate.sync(
        filed.id,
        client=enterprise,
        body=IssueEvaluateInputRequest(
            satisfaction=SatisfactionEnum.SATISFIED, was_contacted=True, was_solved=True
        ),
    )
    assert rated.status == StatusEnum.CLOSED

    history = issues_events_list.sync(filed.id, client=enterprise)
    assert [event.kind for event in history] == [
        EventKindEnum.SUBMIT,
        EventKindEnum.ATTACH,
        EventKindEnum.ACCEPT,
        EventKindEnum.DISPATCH,
        EventKindEnum.ACKNOWLEDGE,
        EventKindEnum.RECORD_CONTACT,
        EventKindEnum.RESPOND,
        EventKindEnum.EVALUATE,
    ]
    assert history[-1].to_status == StatusEnum.CLOSED

    download = issues_attachments_download.sync(filed.id, attachment.id, client=unit_staff)
    assert isinstance(download, File), download
    assert download.payload.read() == PDF


def test_a_visit_with_a_problem_found_files_it(api, sign_in, specialist, enterprise, category):
    from jiangjin_enterprise_service_api_client.api.visits import visits_create
    from jiangjin_enterprise_service_api_client.models import (
        FoundProblemRequest,
        MethodEnum,
        VisitConditionEnum,
        VisitCreateRequest,
        VisitDetail,
    )

    visit = visits_create.sync(
        client=sign_in(specialist),
        body=VisitCreateRequest(
            enterprise=enterprise.pk,
            visited_at=WORKING_DAY - timedelta(hours=1),
            method=MethodEnum.ON_SITE,
            people_met="总经理 王德明",
            labour_condition=VisitConditionEnum.STRAINED,
            labour="缺焊工约30人",
            problems=[
                FoundProblemRequest(
                    category=category.pk, title="招工难，急需焊工30名", description="订单增长，车间缺焊工。"
                )
            ],
        ),
    )

    assert isinstance(visit, VisitDetail), visit
    assert [issue.title for issue in visit.issues] == ["招工难，急需焊工30名"]


def test_the_units_inbox_pages_by_the_cursor_beside_next(
    api, sign_in, handler, enterprise_user, dispatcher, category
):
    from jiangjin_enterprise_service_api_client.api.issues import issues_inbox
    from jiangjin_enterprise_service_api_client.models import IssueListPage

    waiting = [
        make.dispatched(
            dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
        )
        for _ in range(3)
    ]
    unit_staff = sign_in(handler)

    first = issues_inbox.sync(client=unit_staff, page_size=2)
    second = issues_inbox.sync(client=unit_staff, page_size=2, cursor=first.next_cursor)

    assert isinstance(first, IssueListPage) and isinstance(second, IssueListPage)
    assert len(first.results) == 2 and first.next_cursor
    assert parse_qs(urlsplit(first.next_).query)["cursor"] == [first.next_cursor]
    assert len(second.results) == 1 and second.next_cursor is None
    assert {row.id for row in first.results + second.results} == {issue.pk for issue in waiting}


def test_the_2023_summary_reads_as_typed_figures(
    api, sign_in, leader, enterprise_user, dispatcher, handler, category
):
    from jiangjin_enterprise_service_api_client.api.reports import reports_summary
    from jiangjin_enterprise_service_api_client.models import ReportSummary

    desk = Desk(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)
    monday, wednesday, thursday = shanghai(2023, 3, 6, 9), shanghai(2023, 3, 8, 10), shanghai(2023, 3, 9, 10)
    desk.closed(monday, answered=wednesday, rated=thursday)
    desk.closed(monday, answered=wednesday, rated=thursday)
    desk.handling(monday)

    summary = reports_summary.sync(client=sign_in(leader), year=2023)

    assert isinstance(summary, ReportSummary), summary
    assert summary.year == 2023 and summary.is_final
    assert summary.figures.issues_logged.value == 3
    assert (summary.figures.closure_rate.numerator, summary.figures.closure_rate.denominator) == (2, 3)
    assert summary.sentence.endswith("平台录入问题3件，办结率66.67%")


# ---------------------------------------------------------------- refusals, typed


def test_each_refusal_comes_back_as_the_typed_error_model(
    api, sign_in, transport, enterprise_user, handler, dispatcher, category, unit
):
    from jiangjin_enterprise_service_api_client import AuthenticatedClient, Client
    from jiangjin_enterprise_service_api_client.api.auth import auth_token_create
    from jiangjin_enterprise_service_api_client.api.issues import (
        issues_accept,
        issues_attachments_create,
        issues_attachments_download,
        issues_dispatch,
        issues_respond,
        issues_retrieve,
    )
    from jiangjin_enterprise_service_api_client.api.me import me
    from jiangjin_enterprise_service_api_client.models import (
        AuthTokenRequest,
        IssueAttachmentInputRequest,
        IssueDispatchInputRequest,
        IssueNoteInputRequest,
        IssueRespondInputRequest,
        OutcomeEnum,
    )
    from jiangjin_enterprise_service_api_client.types import File

    issue = make.handling(
        handler=handler, dispatcher=dispatcher, enterprise_user=enterprise_user, category=category
    )
    anonymous = Client(base_url=BASE_URL, httpx_args={"transport": transport})
    stranger = AuthenticatedClient(
        base_url=BASE_URL, token="not-a-token", httpx_args={"transport": transport}
    )
    enterprise, desk, unit_staff = sign_in(enterprise_user), sign_in(dispatcher), sign_in(handler)
    program = File(
        payload=BytesIO(b"MZ\x90\x00" + bytes(64)), file_name="红线图.pdf", mime_type="application/pdf"
    )

    assert_error(
        auth_token_create.sync(
            client=anonymous, body=AuthTokenRequest(username=enterprise_user.username, password="wrong")
        ),
        "invalid",
    )
    assert_error(me.sync(client=stranger), "authentication_failed")
    assert_error(issues_retrieve.sync(2**40, client=desk), "not_found")
    assert_error(
        issues_dispatch.sync(issue.pk, client=enterprise, body=IssueDispatchInputRequest(lead_unit=unit.pk)),
        "not_permitted",
    )
    assert_error(
        issues_accept.sync(issue.pk, client=desk, body=IssueNoteInputRequest()), "invalid_transition"
    )
    assert_error(
        issues_respond.sync(
            issue.pk, client=unit_staff, body=IssueRespondInputRequest(outcome=OutcomeEnum.SOLVED, reply="")
        ),
        "invalid",
        "reply",
    )
    assert_error(
        issues_attachments_create.sync(
            issue.pk, client=enterprise, body=IssueAttachmentInputRequest(file=program)
        ),
        "invalid",
        "file",
    )
    assert_error(issues_attachments_download.sync(issue.pk, 2**40, client=enterprise), "not_found")
