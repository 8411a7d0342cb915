import pytest
from django.urls import reverse

from services.notifications import actions
from services.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_inbox_shows_own_messages_with_their_read_state(client, enterprise_user, dispatcher):
    actions.notify(
        recipient=enterprise_user, source_key="a", kind="accept", title="您的诉求已受理", url="/issues/1/"
    )
    actions.notify(recipient=enterprise_user, source_key="b", kind="dispatch", title="您的诉求已派单")
    actions.notify(recipient=dispatcher, source_key="c", kind="submit", title="有新的诉求待受理")
    actions.mark_read(
        notification=Notification.objects.get(recipient=enterprise_user, source_key="a"),
        actor=enterprise_user,
    )
    client.force_login(enterprise_user)

    page = client.get(reverse("web:notifications")).content.decode()

    opened = Notification.objects.get(recipient=enterprise_user, source_key="a")
    assert f'action="/notifications/{opened.pk}/open/"' in page and "您的诉求已受理" in page
    assert "您的诉求已派单" in page
    assert "有新的诉求待受理" not in page
    assert page.count('<span class="badge unread">未读</span>') == 1
    assert page.count('<span class="badge">已读</span>') == 1
    assert '<span class="count" aria-hidden="true">1</span>' in page  # the header's unread count
    assert "消息，1条未读" in page


def test_an_empty_inbox_says_so(client, dispatcher):
    client.force_login(dispatcher)

    assert "暂无消息。" in client.get(reverse("web:notifications")).content.decode()
