"""The session engine: Django's database sessions with their read written out. Same rows, same expiry."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from services.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_with_its_data():
    store = SessionStore()
    store["备注"] = "江津区德感工业园🌾"
    store.create()

    assert SessionStore(store.session_key)["备注"] == "江津区德感工业园🌾"


def test_an_expired_session_reads_as_empty_and_gives_up_its_key():
    store = SessionStore()
    store["user"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    again = SessionStore(store.session_key)

    assert dict(again.items()) == {}
    assert again.session_key is None


def test_a_signed_in_person_stays_signed_in_until_the_session_expires(client, handler):
    client.force_login(handler)
    assert client.get("/").status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert client.get("/").status_code == 302
