"""The list serializer's written-out fast path gives exactly what DRF's generic path gives."""

import pytest
from django.utils import translation
from rest_framework import serializers

from services.issues.selectors import list_issues_for, with_next_due
from services.issues.serializers import IssueListSerializer
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
