"""An enterprise keeps its USCC in one spelling, so the unique constraint sees each code once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_an_enterprise_stores_its_code_normalised():
    enterprise = EnterpriseFactory(uscc="1150 0381 0093 2023 8d")

    enterprise.refresh_from_db()
    assert enterprise.uscc == "11500381009320238D"


def test_the_same_code_spelt_differently_cannot_belong_to_two_enterprises():
    EnterpriseFactory(uscc="11500381009320238D")

    with pytest.raises(IntegrityError):
        EnterpriseFactory(uscc="11500381-009320238d")


def test_validating_an_enterprise_with_a_wrong_code_explains_in_chinese():
    enterprise = EnterpriseFactory.build(uscc="11500381009320238E", name="重庆江津区某建材有限公司")

    with pytest.raises(ValidationError) as refusal:
        enterprise.full_clean(exclude=["town", "park"])

    assert refusal.value.message_dict["uscc"] == [
        "统一社会信用代码校验位错误：第18位应为“D”，现在是“E”，请核对前17位。"
    ]
