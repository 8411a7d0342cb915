"""Reference data that administrators edit: users, categories, targets."""

from decimal import Decimal

import pytest
from django.urls import reverse

from services.accounts.models import Role, User
from services.issues.models import Category
from services.reports.models import AnnualTarget, Figure
from tests.factories import CategoryFactory


def _new_user(**overrides) -> dict:
    data = {
        "username": "chen.jingban",
        "usable_password": "true",
        "password1": "Jiangjin-2026-handler",
        "password2": "Jiangjin-2026-handler",
        "display_name": "陈经办",
        "phone": "13900000000",
        "role": Role.HANDLER,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_administrator_creates_a_handler_of_a_unit(superuser_client, unit):
    response = superuser_client.post(reverse("admin:accounts_user_add"), _new_user(unit=unit.pk))

    assert response.status_code == 302
    created = User.objects.get(username="chen.jingban")
    assert (created.display_name, created.role, created.unit) == ("陈经办", Role.HANDLER, unit)


@pytest.mark.django_db
def test_a_handler_without_a_unit_is_refused_with_the_chinese_message(superuser_client):
    response = superuser_client.post(reverse("admin:accounts_user_add"), _new_user())

    assert response.status_code == 200
    assert "部门经办人和负责人必须关联一个单位。" in response.content.decode()
    assert not User.objects.filter(username="chen.jingban").exists()


@pytest.mark.django_db
def test_the_user_list_finds_people_by_display_name_and_phone(superuser_client, handler, dispatcher):
    handler.phone = "13911112222"
    handler.save(update_fields=["phone"])
    url = reverse("admin:accounts_user_changelist")

    assert list(superuser_client.get(url, {"q": "陈经办"}).context["cl"].result_list) == [handler]
    assert list(superuser_client.get(url, {"q": "1391111"}).context["cl"].result_list) == [handler]


@pytest.mark.django_db
def test_a_category_with_items_cannot_be_moved_under_another(superuser_client, category, unit):
    top = category.parent
    other_top = CategoryFactory(name="用地")

    response = superuser_client.post(
        reverse("admin:issues_category_change", args=[top.pk]),
        {"code": top.code, "name": top.name, "parent": other_top.pk, "sort": 0, "is_active": "on"},
    )

    assert response.status_code == 200
    assert "该分类下已有二级分类，不能再设置上级分类。" in response.content.decode()
    assert Category.objects.get(pk=top.pk).parent is None


@pytest.mark.django_db
def test_only_a_level_one_category_is_offered_as_a_parent(superuser_client, category):
    response = superuser_client.get(reverse("admin:issues_category_add"))

    parents = list(response.context["adminform"].form.fields["parent"].queryset)
    assert parents == [category.parent]


@pytest.mark.django_db
def test_an_administrator_sets_a_district_target(superuser_client):
    response = superuser_client.post(
        reverse("admin:reports_annualtarget_add"), {"year": 2026, "figure": Figure.CLOSURE_RATE, "value": "1"}
    )

    assert response.status_code == 302
    assert AnnualTarget.objects.get().value == Decimal("1")


@pytest.mark.django_db
def test_a_second_district_target_for_the_same_figure_and_year_is_refused(superuser_client):
    AnnualTarget.objects.create(year=2026, figure=Figure.CLOSURE_RATE, value=Decimal("1"))

    response = superuser_client.post(
        reverse("admin:reports_annualtarget_add"),
        {"year": 2026, "figure": Figure.CLOSURE_RATE, "value": "0.9"},
    )

    assert response.status_code == 200
    assert list(AnnualTarget.objects.values_list("value", flat=True)) == [Decimal("1")]
