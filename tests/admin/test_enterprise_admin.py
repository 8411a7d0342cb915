import datetime as dt

import pytest
from django.urls import reverse

from services.enterprises.models import Enterprise, SpecialistAssignment
from tests.factories import EnterpriseFactory, ParkFactory, SpecialistFactory, uscc_for

ADD_URL = reverse("admin:enterprises_enterprise_add")


def _enterprise_form(**overrides) -> dict:
    park = ParkFactory()
    data = {
        "name": "重庆珞璜新材料有限公司",
        "uscc": uscc_for(42),
        "town": park.town.pk,
        "park": park.pk,
        "industry": "新材料",
        "ladder": "",
        "mujun_grade": "",
        "is_active": "on",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_administrator_adds_an_enterprise_with_a_valid_code(superuser_client):
    response = superuser_client.post(ADD_URL, _enterprise_form())

    assert response.status_code == 302
    assert Enterprise.objects.get().uscc == uscc_for(42)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_code", "message"),
    [
        (uscc_for(42)[:17] + ("0" if uscc_for(42)[17] != "0" else "1"), "统一社会信用代码校验位错误"),
        (uscc_for(42)[:17], "统一社会信用代码应为18位，现在是17位。"),
        ("I" + uscc_for(42)[1:], "统一社会信用代码第1位“I”不是有效字符"),
    ],
    ids=["wrong check character", "too short", "letter I"],
)
def test_an_invalid_code_is_refused_with_a_chinese_message_and_nothing_is_saved(
    superuser_client, bad_code, message
):
    response = superuser_client.post(ADD_URL, _enterprise_form(uscc=bad_code))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_a_code_typed_in_lower_case_with_spaces_is_stored_in_its_one_spelling(superuser_client):
    code = uscc_for(42)
    typed = f"{code[:6]} {code[6:]}".lower()

    response = superuser_client.post(ADD_URL, _enterprise_form(uscc=typed))

    assert response.status_code == 302
    assert Enterprise.objects.get().uscc == code


@pytest.mark.django_db
def test_a_code_already_on_file_in_another_spelling_is_refused_as_a_duplicate(superuser_client):
    EnterpriseFactory(uscc=uscc_for(42))

    response = superuser_client.post(ADD_URL, _enterprise_form(uscc=uscc_for(42).lower()))

    assert response.status_code == 200
    assert "该统一社会信用代码已登记。" in response.content.decode()
    assert Enterprise.objects.count() == 1


@pytest.mark.django_db
def test_the_enterprise_list_finds_an_enterprise_by_its_code(superuser_client):
    wanted = EnterpriseFactory(name="重庆江津白沙酒业有限公司", uscc=uscc_for(7))
    EnterpriseFactory(name="重庆德感粮油有限公司", uscc=uscc_for(8))

    response = superuser_client.get(reverse("admin:enterprises_enterprise_changelist"), {"q": wanted.uscc})

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_the_enterprise_list_shows_the_current_specialist(superuser_client, enterprise, specialist):
    response = superuser_client.get(reverse("admin:enterprises_enterprise_changelist"))

    assert "张建国" in response.content.decode()


@pytest.mark.django_db
def test_adding_an_assignment_hands_the_enterprise_to_the_new_specialist_and_ends_the_old_one(
    superuser_client, superuser, enterprise, specialist
):
    successor = SpecialistFactory(display_name="孙海燕")

    response = superuser_client.post(
        reverse("admin:enterprises_specialistassignment_add"),
        {
            "enterprise": enterprise.pk,
            "specialist": successor.pk,
            "started_on": "2026-03-02",
            "note": "岗位调整",
        },
    )

    assert response.status_code == 302
    old, new = SpecialistAssignment.objects.filter(enterprise=enterprise).order_by("started_on")
    assert (old.specialist, old.ended_on) == (specialist, dt.date(2026, 3, 2))
    assert (new.specialist, new.ended_on, new.assigned_by) == (successor, None, superuser)


@pytest.mark.django_db
def test_an_assignment_starting_before_the_current_one_is_refused_and_nothing_changes(
    superuser_client, enterprise, specialist
):
    successor = SpecialistFactory(display_name="孙海燕")

    response = superuser_client.post(
        reverse("admin:enterprises_specialistassignment_add"),
        {"enterprise": enterprise.pk, "specialist": successor.pk, "started_on": "2022-12-31"},
    )

    assert response.status_code == 200
    assert "新包联的开始日期不能早于现有包联的开始日期。" in response.content.decode()
    assert list(SpecialistAssignment.objects.values_list("specialist", "ended_on")) == [(specialist.pk, None)]


@pytest.mark.django_db
def test_only_a_specialist_can_be_assigned(superuser_client, enterprise, handler):
    response = superuser_client.post(
        reverse("admin:enterprises_specialistassignment_add"),
        {"enterprise": enterprise.pk, "specialist": handler.pk, "started_on": "2026-03-02"},
    )

    assert response.status_code == 200
    assert not SpecialistAssignment.objects.exists()
