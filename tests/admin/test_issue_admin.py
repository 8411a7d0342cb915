"""Issues change only through the actions: the admin shows them and their history, and writes nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from services.issues.lifecycle import Status
from services.issues.models import Issue, IssueEvent, IssuePolicy, StageClock
from tests.factories import UserFactory


def _snapshot(issue: Issue) -> tuple:
    issue.refresh_from_db()
    return (
        issue.status,
        issue.updated_at,
        issue.closure_kind,
        IssueEvent.objects.filter(issue=issue).count(),
        list(StageClock.objects.filter(issue=issue).values_list("pk", "due_at", "met_at", "stopped_at")),
    )


def _close_it_by_hand(issue: Issue) -> dict:
    return {
        "number": issue.number,
        "title": issue.title,
        "description": issue.description,
        "enterprise": issue.enterprise_id,
        "category": issue.category_id,
        "urgency": issue.urgency,
        "complexity": issue.complexity,
        "channel": issue.channel,
        "status": Status.CLOSED,
        "closure_kind": "reviewed",
        "closure_reason": "后台直接办结",
        "filed_by": issue.filed_by_id,
        "created_at_0": "2026-03-02",
        "created_at_1": "09:00:00",
    }


@pytest.mark.django_db
def test_posting_a_new_status_to_the_issue_page_is_refused_and_the_issue_is_unchanged(
    superuser_client, issue_in_handling
):
    before = _snapshot(issue_in_handling)

    response = superuser_client.post(
        reverse("admin:issues_issue_change", args=[issue_in_handling.pk]),
        _close_it_by_hand(issue_in_handling),
    )

    assert response.status_code == 403
    assert _snapshot(issue_in_handling) == before
    assert before[0] == Status.HANDLING


@pytest.mark.django_db
def test_the_issue_page_shows_every_field_read_only(superuser_client, issue_in_handling):
    response = superuser_client.get(reverse("admin:issues_issue_change", args=[issue_in_handling.pk]))

    adminform = response.context["adminform"]
    assert response.context["has_change_permission"] is False
    assert set(adminform.form.fields) == set()
    assert 'name="status"' not in response.content.decode()


@pytest.mark.django_db
def test_an_issue_cannot_be_deleted_from_its_page(superuser_client, issue_in_handling):
    url = reverse("admin:issues_issue_delete", args=[issue_in_handling.pk])

    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert Issue.objects.filter(pk=issue_in_handling.pk).exists()


@pytest.mark.django_db
def test_an_issue_cannot_be_deleted_from_the_list_either(superuser_client, issue_in_handling):
    changelist = reverse("admin:issues_issue_changelist")

    assert "delete_selected" not in superuser_client.get(changelist).content.decode()
    superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [issue_in_handling.pk], "post": "yes"}
    )
    assert Issue.objects.filter(pk=issue_in_handling.pk).exists()


@pytest.mark.django_db
def test_the_history_cannot_be_rewritten_from_the_admin(superuser_client, issue_in_handling):
    event = IssueEvent.objects.filter(issue=issue_in_handling).first()
    change = reverse("admin:issues_issueevent_change", args=[event.pk])

    response = superuser_client.post(change, {"kind": "close", "note": "改写历史"})

    assert response.status_code == 403
    assert (
        superuser_client.post(reverse("admin:issues_issueevent_delete", args=[event.pk])).status_code == 403
    )
    event.refresh_from_db()
    assert (event.kind, event.note) == ("submit", "")


@pytest.mark.django_db
def test_staff_holding_every_issue_permission_still_only_sees_issues(client, issue_in_handling):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="issues"))
    client.force_login(staff)

    assert client.get(reverse("admin:issues_issue_change", args=[issue_in_handling.pk])).status_code == 200
    response = client.post(
        reverse("admin:issues_issue_change", args=[issue_in_handling.pk]),
        _close_it_by_hand(issue_in_handling),
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:issues_issue_add")).status_code == 403


# ---------------------------------------------------------------- the one policy row


@pytest.mark.django_db
def test_the_deadline_settings_can_be_created_once_as_the_one_row(superuser_client):
    add = reverse("admin:issues_issuepolicy_add")
    form = {
        field.name: field.default
        for field in IssuePolicy._meta.concrete_fields
        if field.name not in {"id", "updated_at"}
    }

    response = superuser_client.post(add, form | {"answer_days_normal": 7})

    assert response.status_code == 302
    assert list(IssuePolicy.objects.values_list("pk", "answer_days_normal")) == [(1, 7)]
    assert superuser_client.get(add).status_code == 403


@pytest.mark.django_db
def test_the_deadline_settings_are_edited_in_place(superuser_client):
    policy = IssuePolicy.current()
    form = {
        f.name: getattr(policy, f.name)
        for f in IssuePolicy._meta.concrete_fields
        if f.name not in {"id", "updated_at"}
    }

    response = superuser_client.post(
        reverse("admin:issues_issuepolicy_change", args=[policy.pk]), form | {"extension_max_days": 10}
    )

    assert response.status_code == 302
    assert IssuePolicy.current().extension_max_days == 10


@pytest.mark.django_db
def test_the_deadline_settings_cannot_be_deleted(superuser_client):
    policy = IssuePolicy.current()

    response = superuser_client.post(
        reverse("admin:issues_issuepolicy_delete", args=[policy.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert IssuePolicy.objects.filter(pk=policy.pk).exists()
