"""A filing sent again with the filer's key files once: the repeat returns the first problem (#12: a client that
retries after a lost answer or a 503 must not file twice)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from services.core.errors import InvalidInput
from services.issues import actions
from services.issues.models import Issue, IssueAttachment, IssueEvent
from tests.concurrency import race
from tests.factories import EnterpriseUserFactory

KEY = uuid.UUID("0b3e5f1a-7c2d-4e8b-9a61-5d4c3b2a1f09")
TITLE = "用电增容申请（第二回路）⚡：报装三个月未批复"
DESCRIPTION = "新上两条生产线，变压器容量不足；已向供电所提交资料，至今未回复。"


def send(actor, enterprise, category, **kw):
    kw.setdefault("client_key", KEY)
    return actions.file_issue(
        actor=actor, enterprise=enterprise, category=category, title=TITLE, description=DESCRIPTION, **kw
    )


@pytest.mark.django_db
def test_the_same_key_sent_twice_files_one_problem_with_one_history(enterprise_user, enterprise, category):
    first = send(enterprise_user, enterprise, category)
    again = send(enterprise_user, enterprise, category)

    assert again.pk == first.pk
    assert getattr(again, "repeated", False) and not getattr(first, "repeated", False)
    assert Issue.objects.count() == 1
    assert IssueEvent.objects.filter(issue=first, kind="submit").count() == 1


@pytest.mark.django_db
def test_filings_without_a_key_are_separate_problems(enterprise_user, enterprise, category):
    send(enterprise_user, enterprise, category, client_key=None)
    send(enterprise_user, enterprise, category, client_key=None)

    assert Issue.objects.count() == 2


@pytest.mark.django_db
def test_another_filers_key_is_refused_and_files_nothing(enterprise_user, enterprise, category):
    send(enterprise_user, enterprise, category)
    colleague = EnterpriseUserFactory(enterprise=enterprise, username="同厂另一位联系人")

    with pytest.raises(InvalidInput) as refused:
        send(colleague, enterprise, category)

    assert "client_key" in refused.value.errors
    assert Issue.objects.count() == 1


@pytest.mark.django_db
def test_a_key_that_is_not_a_uuid_is_refused_beside_the_key(enterprise_user, enterprise, category):
    with pytest.raises(InvalidInput) as refused:
        send(enterprise_user, enterprise, category, client_key="第一次提交")

    assert refused.value.errors == {"client_key": ["提交标识格式不正确。"]}
    assert Issue.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_twice_at_the_same_moment_files_one_problem(enterprise_user, enterprise, category):
    outcomes = race(*[lambda: send(enterprise_user, enterprise, category)] * 2)

    assert all(isinstance(outcome, Issue) for outcome in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Issue.objects.count() == 1


@pytest.mark.django_db
def test_the_api_answers_a_repeated_filing_with_the_first_problem(enterprise_user, category):
    api = APIClient()
    api.force_authenticate(enterprise_user)
    body = {"category": category.pk, "title": TITLE, "description": DESCRIPTION, "client_key": str(KEY)}

    first = api.post("/api/v1/issues/", body, format="json")
    again = api.post("/api/v1/issues/", body, format="json")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Issue.objects.count() == 1


@pytest.mark.django_db
def test_the_filing_form_sent_twice_files_one_problem_with_its_file_once(client, enterprise_user, category):
    client.force_login(enterprise_user)
    form = client.get("/issues/new/").content.decode()
    key = form.split('name="client_key" value="')[1].split('"')[0]

    def post():
        upload = SimpleUploadedFile(
            "用电报装申请表.txt", "户号 5100012345".encode(), content_type="text/plain"
        )
        data = {"category": category.pk, "title": TITLE, "description": DESCRIPTION, "client_key": key}
        return client.post("/issues/new/", {**data, "files": [upload]})

    first, again = post(), post()

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Issue.objects.count() == 1
    assert IssueAttachment.objects.count() == 1
