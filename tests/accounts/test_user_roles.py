import pytest
from django.db import IntegrityError

from services.accounts.models import Role, User


@pytest.mark.django_db
def test_an_enterprise_user_must_belong_to_an_enterprise():
    with pytest.raises(IntegrityError):
        User.objects.create(username="qiye", role=Role.ENTERPRISE)


@pytest.mark.django_db
def test_a_unit_handler_must_belong_to_a_unit():
    with pytest.raises(IntegrityError):
        User.objects.create(username="jingban", role=Role.HANDLER)


@pytest.mark.django_db
def test_createsuperuser_makes_an_administrator():
    user = User.objects.create_superuser("caozuo", "ops@example.cn", "a-long-password-2026")

    assert user.role == Role.ADMIN


@pytest.mark.django_db
def test_a_user_is_shown_by_their_chinese_name():
    assert str(User(username="zhang", display_name="张建国", role=Role.SPECIALIST)) == "张建国"
