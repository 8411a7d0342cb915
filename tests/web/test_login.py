import pytest
from django.test import RequestFactory
from django.urls import reverse

from services.web.context_processors import site

pytestmark = pytest.mark.django_db

PASSWORD = "jiangjin-test"


def test_the_login_page_speaks_chinese(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    for text in ("江津区企业吹哨·部门报到平台", "用户名", "密码", "登录"):
        assert text in page


@pytest.mark.parametrize(
    "person", ["enterprise_user", "specialist", "handler", "unit_head", "dispatcher", "leader", "admin_user"]
)
def test_each_role_logs_in_and_lands_on_its_work_list(client, request, person):
    user = request.getfixturevalue(person)

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert response.resolver_match.view_name == "web:home"
    page = response.content.decode()
    assert user.name in page
    assert str(user.get_role_display()) in page


def test_a_wrong_password_is_refused_with_a_message(client, dispatcher):
    response = client.post(reverse("login"), {"username": dispatcher.username, "password": "wrong"})

    assert response.status_code == 200
    assert '<div class="notice error" role="alert">' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_demo_logins_are_listed_only_in_demo_mode(client, site_context):
    site_context.DEMO_MODE = True
    shown = client.get(reverse("login")).content.decode()
    site_context.DEMO_MODE = False
    hidden = client.get(reverse("login")).content.decode()

    assert "jiangjin-demo" in shown
    for login in ("enterprise", "specialist", "unit", "dispatcher", "leader", "admin"):
        assert f"<code>{login}</code>" in shown
    assert "jiangjin-demo" not in hidden


def test_the_context_processor_exposes_demo_mode(settings):
    settings.DEMO_MODE = True

    assert site(RequestFactory().get("/")) == {"DEMO_MODE": True}
