import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        reverse("web:home"),
        reverse("web:issue-detail", args=[1]),
        reverse("web:coverage"),
        reverse("web:notifications"),
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_the_header_offers_logout_and_the_language_switch_as_post_forms(client, dispatcher):
    client.force_login(dispatcher)

    page = client.get(reverse("web:home")).content.decode()

    assert f'<form action="{reverse("logout")}" method="post">' in page
    assert f'action="{reverse("set_language")}" method="post"' in page
    assert 'name="language" value="zh-hans"' in page
    assert 'name="language" value="en"' in page
    assert page.count('name="csrfmiddlewaretoken"') == 2


def test_the_page_language_follows_the_active_language(client, dispatcher):
    client.force_login(dispatcher)

    page = client.get(reverse("web:home"), headers={"accept-language": "en"}).content.decode()

    assert '<html lang="en">' in page


@pytest.mark.parametrize(
    ("person", "sees_coverage", "sees_admin"),
    [
        ("enterprise_user", False, False),
        ("specialist", False, False),
        ("handler", False, False),
        ("dispatcher", True, False),
        ("leader", True, False),
        ("admin_user", True, True),
    ],
)
def test_the_navigation_offers_what_the_role_may_open(client, request, person, sees_coverage, sees_admin):
    client.force_login(request.getfixturevalue(person))

    page = client.get(reverse("web:home")).content.decode()

    assert f'href="{reverse("web:home")}" aria-current="page"' in page  # the role's own work list
    assert (f'href="{reverse("web:coverage")}"' in page) is sees_coverage
    assert (f'href="{reverse("admin:index")}"' in page) is sees_admin
