"""The list and detail serializers' written-out fast paths give exactly what DRF's generic path gives."""

from types import SimpleNamespace

import pytest
from django.utils import translation
from rest_framework import serializers

from services.issues import actions
from services.issues.selectors import get_issue_detail_for, list_issues_for, with_next_due
from services.issues.serializers import (
    LIST_VALUES,
    IssueDetailSerializer,
    IssueListSerializer,
    list_row_from_values,
)
from tests.factories import issues as make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_fast_list_row_equals_the_generic_one(language, enterprise_user, dispatcher, handler, category):
    make.filed(enterprise_user=enterprise_user, category=category.parent)
    make.handling(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)
    make.responded(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)

    with translation.override(language):
        for issue in with_next_due(list_issues_for(dispatcher)):
            fast = IssueListSerializer(issue).data
            generic = serializers.Serializer.to_representation(IssueListSerializer(issue), issue)
            assert fast == generic


def _generic_detail(issue, actor):
    return serializers.Serializer.to_representation(
        IssueDetailSerializer(issue, context={"request": SimpleNamespace(user=actor)}), issue
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_fast_detail_equals_the_generic_one(
    language,
    enterprise_user,
    dispatcher,
    handler,
    other_unit,
    category,
    specialist,
    django_assert_num_queries,
):
    """Co-units, met and running clocks, a decided and a pending extension, a merge, a rating."""
    handled = make.handling(
        enterprise_user=enterprise_user,
        dispatcher=dispatcher,
        handler=handler,
        category=category,
        co_units=[other_unit],
    )
    actions.record_first_contact(issue=handled, actor=handler, note="已电话联系（张经理）📞")
    actions.request_extension(issue=handled, actor=handler, working_days=3, reason="需要现场踏勘，协调用地。")
    actions.decide_extension(issue=handled, actor=dispatcher, approve=True, note="同意")
    first = make.filed(enterprise_user=enterprise_user, category=category)
    second = make.filed(enterprise_user=enterprise_user, category=category, title="重复：招工难")
    actions.merge_issue(issue=second, actor=dispatcher, into=first, note="同一诉求")
    reviewed = make.under_review(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )

    with translation.override(language):
        for issue, actors in (
            (handled, (dispatcher, handler, enterprise_user)),
            (first, (dispatcher, enterprise_user, specialist)),
            (second, (dispatcher, enterprise_user)),
            (reviewed, (dispatcher, handler, enterprise_user)),
        ):
            for actor in actors:
                detail = get_issue_detail_for(actor=actor, issue_id=issue.pk)
                with django_assert_num_queries(0):  # everything it shows was read by the selector
                    fast = IssueDetailSerializer(
                        detail, context={"request": SimpleNamespace(user=actor)}
                    ).data
                assert fast == _generic_detail(detail, actor)


def test_the_detail_soonest_due_is_the_one_the_lists_compute(enterprise_user, dispatcher, handler, category):
    issue = make.handling(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )

    detail = get_issue_detail_for(actor=dispatcher, issue_id=issue.pk)

    assert detail.next_due_at is not None
    assert detail.next_due_at == with_next_due(list_issues_for(dispatcher)).get(pk=issue.pk).next_due_at


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_list_row_read_as_values_equals_one_read_as_models(
    language, enterprise_user, dispatcher, handler, category
):
    make.filed(enterprise_user=enterprise_user, category=category.parent)
    make.handling(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)
    make.accepted(enterprise_user=enterprise_user, dispatcher=dispatcher, category=category)

    with translation.override(language):
        issues = list(with_next_due(list_issues_for(dispatcher)))
        values = dict((row[0], row) for row in list_issues_for(dispatcher).values_list(*LIST_VALUES))
        for issue in issues:
            assert (
                list_row_from_values(values[issue.pk], issue.next_due_at) == IssueListSerializer(issue).data
            )
